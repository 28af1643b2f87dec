// Small page helpers shared by the browser tests: fill a labelled form, wait for a URL.
import type { Page } from 'playwright-core';

export async function fillByLabel(page: Page, fields: Record<string, string>): Promise<void> {
  for (const [label, value] of Object.entries(fields)) await page.getByLabel(label, { exact: true }).fill(value);
}

/** The text of the form-level message (role=alert for errors, role=status for success). */
export async function formMessage(page: Page): Promise<string> {
  return page.locator('.notice').first().innerText();
}

/** Polls `check` until it is true (pages that refresh themselves while something settles). */
export async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > until) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
