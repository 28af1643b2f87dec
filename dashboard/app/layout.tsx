// The shell every dashboard page shares: skip link, header with navigation for who is signed in, main landmark.
import type { Metadata, Viewport, Route } from 'next';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { currentAccount } from '@/lib/accounts';
import { logoutAction } from './(public)/actions';
import { NavLinks } from './ui/nav-links';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Paddock', template: '%s · Paddock' },
  description: 'Host and manage your Paddock sites.',
};

export const viewport: Viewport = { width: 'device-width', initialScale: 1 };

export default async function RootLayout({ children }: { children: ReactNode }) {
  // A down API must not take the public pages with it: the header just shows the signed-out links.
  const account = await currentAccount().catch(() => undefined);
  const links: { href: Route; label: string }[] = account
    ? [{ href: '/sites', label: 'Sites' }, { href: '/org', label: 'Organisation' }, ...(account.operator ? [{ href: '/admin' as Route, label: 'Admin' }] : [])]
    : [{ href: '/login', label: 'Log in' }, { href: '/signup', label: 'Sign up' }];
  return (
    <html lang="en">
      <body>
        <a className="skip" href="#main">Skip to content</a>
        <header className="topbar">
          <Link href="/" className="brand">Paddock</Link>
          <nav className="nav" aria-label="Main">
            <NavLinks links={links} />
            {account ? (
              <form action={logoutAction} className="inline">
                <span className="muted small who" title={account.email}>{account.email}</span>
                <button type="submit" className="link-button">Log out</button>
              </form>
            ) : null}
          </nav>
        </header>
        <main id="main" className="main">{children}</main>
      </body>
    </html>
  );
}
