// What the catalogue commands load when they run (so listing commands loads neither gettext-parser nor TypeScript).
import { fileURLToPath } from 'node:url';

export { makeMessages, compileMessages } from './messages.js';
export { RUNTIME_LOCALE_DIR } from './catalog.js';

/** The runtime's own sources (src/, shipped with the package), scanned by `makemessages --app runtime`. */
export function runtimeSourceDir(): string {
  return fileURLToPath(new URL('../../src/', import.meta.url));
}
