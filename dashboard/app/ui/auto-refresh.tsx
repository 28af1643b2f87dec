'use client';
// Re-renders the current page from the server every few seconds while something settles.
import { useEffect } from 'react';
import { useRouter } from 'next/navigation';

export function AutoRefresh({ everyMs }: { everyMs: number }) {
  const router = useRouter();
  useEffect(() => {
    const t = setInterval(() => router.refresh(), everyMs);
    return () => clearInterval(t);
  }, [router, everyMs]);
  return null;
}
