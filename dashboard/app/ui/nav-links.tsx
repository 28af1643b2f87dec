'use client';
// Header links that mark the section the user is in (aria-current) for sighted and screen-reader users.
import Link from 'next/link';
import type { Route } from 'next';
import { usePathname } from 'next/navigation';

export function NavLinks({ links, exact = false }: { links: { href: Route; label: string }[]; exact?: boolean }) {
  const path = usePathname();
  return (
    <>
      {links.map((l) => (
        <Link key={l.href} href={l.href} aria-current={path === l.href || (!exact && path.startsWith(`${l.href}/`)) ? 'page' : undefined}>
          {l.label}
        </Link>
      ))}
    </>
  );
}
