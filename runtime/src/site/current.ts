// The site this process serves, for code that runs outside a request (feeds, models' URLs, batteries reading settings).
import { ImproperlyConfigured } from '../errors.js';
import { setStorageSite } from '../files/storage.js';
import type { Settings } from '../settings.js';
import type { Site } from './site.js';

let current: Site | null = null;

export function setCurrentSite(site: Site | null): void {
  current = site;
  setStorageSite(() => currentSite());
}

export function currentSite(): Site {
  if (!current) throw new ImproperlyConfigured('No site is loaded yet. Settings and reverse() work once the site host has booted the site.');
  return current;
}

/** The running site's settings. */
export function getSettings(): Settings { return currentSite().settings; }

/** reverse('blog:detail', { slug }) → '/blog/hello/', using the running site's URL conf. */
export function reverse(name: string, params?: Record<string, unknown>): string {
  return currentSite().reverse(name, params);
}

/** The loaded site, or null before one is (for code that also runs outside a site, such as translation). */
export function maybeCurrentSite(): Site | null { return current; }
