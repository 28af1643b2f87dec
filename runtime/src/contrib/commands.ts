// The batteries' commands for paddock-runtime: createsuperuser, clearsessions, dumpdata and loaddata. The CLI
// loads the site and opens its databases, then hands over here.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { registry, type AnyModelClass } from '../db/index.js';
import { PaddockError, ValidationError } from '../errors.js';
import { dumpData, loadData, type Format } from '../serializers/index.js';
import { createSuperuser } from './auth/management.js';
import { DatabaseSessionStore } from './sessions/backends/db.js';

export const BATTERY_COMMANDS = ['createsuperuser', 'clearsessions', 'dumpdata', 'loaddata'] as const;

export const BATTERY_USAGE = `  createsuperuser [site-dir] --username U [--email E]   create an admin account; the password comes from
                                                       PADDOCK_SUPERUSER_PASSWORD or the first line of stdin
  clearsessions [site-dir]                             delete expired database sessions
  dumpdata [site-dir] [app | app.Model ...] [--format json|xml] [--indent N]   print objects
  loaddata [site-dir] <file> [--format json|xml]       load objects (insert or update by key) in one transaction`;

class CommandError extends PaddockError {
  constructor(message: string) {
    super('PDK_COMMAND', 2, message);
  }
}

async function readStdinLine(): Promise<string> {
  if (process.stdin.isTTY) throw new CommandError('Set PADDOCK_SUPERUSER_PASSWORD or pipe the password on stdin (it is never taken as an argument).');
  let data = '';
  for await (const chunk of process.stdin) {
    data += String(chunk);
    if (data.includes('\n')) break;
  }
  return data.split('\n')[0] ?? '';
}

function selectModels(specs: string[]): AnyModelClass[] {
  const all = [...registry.models.values()];
  if (!specs.length) return all;
  return specs.flatMap((spec) => {
    const found = spec.includes('.')
      ? all.filter((m) => m._meta.label.toLowerCase() === spec.toLowerCase())
      : all.filter((m) => m._meta.app === spec);
    if (!found.length) throw new CommandError(`No model or app '${spec}'. Use an app label ('blog') or a model ('blog.Post').`);
    return found;
  });
}

/** Runs one battery command; `args` are the command's arguments after the site dir. */
export async function runBatteryCommand(command: string, args: string[], out: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<number> {
  const { values, positionals } = parseArgs({
    args, allowPositionals: true,
    options: { username: { type: 'string' }, email: { type: 'string' }, format: { type: 'string' }, indent: { type: 'string' } },
  });
  const format = (values.format ?? 'json') as Format;
  if (format !== 'json' && format !== 'xml') throw new CommandError(`--format must be json or xml, not '${values.format}'.`);
  switch (command) {
    case 'createsuperuser': {
      if (!values.username) throw new CommandError('createsuperuser needs --username.');
      const password = process.env.PADDOCK_SUPERUSER_PASSWORD ?? await readStdinLine();
      try {
        const user = await createSuperuser({ username: values.username, email: values.email, password });
        out(`Superuser '${user.username}' created.`);
      } catch (e) {
        if (e instanceof ValidationError) throw new CommandError(e.message);
        throw e;
      }
      return 0;
    }
    case 'clearsessions':
      out(`Deleted ${await new DatabaseSessionStore().clearExpired()} expired sessions.`);
      return 0;
    case 'dumpdata':
      out(await dumpData(format, selectModels(positionals), { indent: values.indent ? Number(values.indent) : undefined }));
      return 0;
    case 'loaddata': {
      const file = positionals[0];
      if (!file) throw new CommandError('loaddata needs a file: paddock-runtime loaddata . data.json');
      const fmt = values.format ? format : file.endsWith('.xml') ? 'xml' : 'json';
      out(`Installed ${await loadData(fmt, readFileSync(file, 'utf8'))} objects.`);
      return 0;
    }
    default:
      throw new CommandError(`Unknown command '${command}'.`);
  }
}
