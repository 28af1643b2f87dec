// Where the dashboard finds the control-plane API; read on the server at request time, never bundled.
export function apiBaseUrl(): string {
  const raw = process.env.PADDOCK_API_URL ?? 'http://localhost:4000';
  return raw.replace(/\/+$/, '');
}

/** How long the dashboard waits for the API before it says the API is down. */
export const API_TIMEOUT_MS = Number(process.env.PADDOCK_DASHBOARD_API_TIMEOUT_MS ?? 5000);

/**
 * Where a site answers, as the API builds its URL: `<name>.<PADDOCK_SITE_DOMAIN>` plus the edge's
 * port (PADDOCK_EDGE_PORT) unless it is 80. The same variables the control plane reads, same defaults.
 */
export function siteAddress(name: string): string {
  const domain = process.env.PADDOCK_SITE_DOMAIN || 'localhost';
  const port = Number(process.env.PADDOCK_EDGE_PORT || 8080);
  return `${name}.${domain}${port === 80 ? '' : `:${port}`}`;
}
