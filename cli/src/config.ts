// The user's CLI settings and credentials: $XDG_CONFIG_HOME/paddock/config.json (else
// ~/.config/paddock/config.json), readable by the user only (0600, in a 0700 folder).
// Credentials are kept per API address so that a token for one platform is never sent to another.
import { chmodSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { CliError } from './errors.js';
import { ExitCode } from './exit-codes.js';

export const defaultApi = 'http://localhost:4000';

export interface Credential {
  token: string;
  /** The API's id for the token, so `logout` can revoke it. */
  tokenId?: string;
  email?: string;
}

export interface ConfigFile {
  /** The API that `login` last talked to: used when neither --api nor PADDOCK_API is given. */
  api?: string;
  credentials?: Record<string, Credential>;
}

export function configPath(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.startsWith('/') ? env.XDG_CONFIG_HOME : join(env.HOME ?? homedir(), '.config');
  return join(base, 'paddock', 'config.json');
}

export class ConfigStore {
  constructor(readonly path: string) {}

  read(): ConfigFile {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw err;
    }
    try {
      const parsed: unknown = JSON.parse(text);
      return parsed && typeof parsed === 'object' ? (parsed as ConfigFile) : {};
    } catch {
      throw new CliError('CLI_CONFIG_INVALID', `The config file ${this.path} is not valid JSON.`, `Fix it or delete it, then run \`paddock login\` again.`, ExitCode.failure);
    }
  }

  write(config: ConfigFile): void {
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    // Write beside, then rename: a crash never leaves half a file, and the mode is right from the first byte.
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.path);
  }

  update(change: (config: ConfigFile) => void): ConfigFile {
    const config = this.read();
    change(config);
    this.write(config);
    return config;
  }

  /** Tightens a config file someone made readable by others (it holds tokens). */
  repairMode(): void {
    try {
      if ((statSync(this.path).mode & 0o077) !== 0) chmodSync(this.path, 0o600);
    } catch {
      // missing: nothing to repair
    }
  }
}

/** Normalises an API address so that credentials are found however it was typed. */
export function normaliseApi(api: string): string {
  let url: URL;
  try {
    url = new URL(api);
  } catch {
    throw new CliError('CLI_BAD_API_URL', `"${api}" is not a URL.`, 'Pass the API address like --api http://localhost:4000 (or set PADDOCK_API).', ExitCode.usage);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CliError('CLI_BAD_API_URL', `"${api}" is not an http(s) URL.`, 'Pass the API address like --api https://paddock.example.com.', ExitCode.usage);
  }
  return url.origin + url.pathname.replace(/\/+$/, '');
}
