// Next.js settings for the dashboard: a plain server-rendered app that talks to the control plane
// from the server only, so nothing about the API (URL, tokens) reaches the browser bundle.
import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  // Typed <Link href> catches broken internal links at typecheck time.
  typedRoutes: true,
  poweredByHeader: false,
  // `next dev` would otherwise write an AGENTS.md into the tree.
  agentRules: false,
  async headers() {
    return [
      {
        source: '/:path*',
        headers: [
          { key: 'X-Frame-Options', value: 'DENY' },
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'Referrer-Policy', value: 'same-origin' },
        ],
      },
    ];
  },
};

export default nextConfig;
