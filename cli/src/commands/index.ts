// Every command, in the order `paddock --help` lists them within their groups.
import type { Command } from '../command.js';
import { login, logout, signup, tokens, tokensCreate, tokensRevoke, whoami } from './account.js';
import { billing, billingPortal, billingUpgrade } from './billing.js';
import { push, releases, rollback } from './deploy.js';
import { allCommands, help, versionCommand } from './help.js';
import { check, dev, init, makemigrations, migrate, test } from './local.js';
import { dbPsql, dbUrl, domains, domainsAdd, domainsRemove, env, envSet, envUnset, logs, run, scale } from './operate.js';
import { dbBackup, dbBackups, dbDownload, dbRestore } from './backups.js';
import { info, link, open, sites, sitesCreate, sitesDelete, unlink } from './sites.js';

export const commands: readonly Command[] = [
  signup, login, logout, whoami, tokens, tokensCreate, tokensRevoke, billing, billingUpgrade, billingPortal,
  init, dev, check, makemigrations, migrate, test,
  sites, sitesCreate, sitesDelete, info, open, link, unlink,
  push, releases, rollback,
  logs, env, envSet, envUnset, scale, domains, domainsAdd, domainsRemove, run, dbUrl, dbPsql,
  dbBackups, dbBackup, dbDownload, dbRestore,
  help, versionCommand,
];

allCommands.push(...commands);
