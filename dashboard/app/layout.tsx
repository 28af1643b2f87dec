// The shell every dashboard page shares: skip link, header with navigation, main landmark.
import type { Metadata, Viewport } from 'next';
import Link from 'next/link';
import type { ReactNode } from 'react';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Paddock', template: '%s · Paddock' },
  description: 'Host and manage your Paddock sites.',
};

export const viewport: Viewport = { width: 'device-width', initialScale: 1 };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <a className="skip" href="#main">Skip to content</a>
        <header className="topbar">
          <Link href="/" className="brand">Paddock</Link>
        </header>
        <main id="main" className="main">{children}</main>
      </body>
    </html>
  );
}
