// Where the dashboard finds the control-plane API; read on the server at request time, never bundled.
export function apiBaseUrl(): string {
  const raw = process.env.PADDOCK_API_URL ?? 'http://localhost:4000';
  return raw.replace(/\/+$/, '');
}

/** How long the dashboard waits for the API before it says the API is down. */
export const API_TIMEOUT_MS = Number(process.env.PADDOCK_DASHBOARD_API_TIMEOUT_MS ?? 5000);
