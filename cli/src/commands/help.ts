// `paddock help [command | exit-codes]` and `paddock version`.
import { defineCommand, type Command } from '../command.js';
import { usageError } from '../errors.js';
import { commandHelp, exitCodesHelp, overviewHelp } from '../help.js';
import { suggest } from '../suggest.js';

/** Filled in by commands/index.ts (help needs the list it belongs to). */
export const allCommands: Command[] = [];

export const help = defineCommand({
  name: 'help',
  group: 'Help',
  summary: 'Show help for paddock or a command',
  usage: 'help [<command> | exit-codes]',
  options: {},
  positionals: { max: 1 },
  examples: ['paddock help', 'paddock help push', 'paddock help exit-codes'],
  async run(ctx, { positionals }) {
    const topic = positionals[0];
    const write = (text: string) => ctx.streams.stdout.write(`${text}\n`);
    if (!topic) return void write(overviewHelp(ctx.out, allCommands, ctx.version));
    if (topic === 'exit-codes') return void write(exitCodesHelp(ctx.out));
    const command = allCommands.find((c) => c.name === topic || c.aliases?.includes(topic));
    if (!command) {
      const close = suggest(topic, allCommands.map((c) => c.name));
      throw usageError(`No help topic "${topic}".`, close.length ? `Did you mean \`paddock help ${close[0]}\`?` : 'Run `paddock help` to list the commands.');
    }
    write(commandHelp(ctx.out, command));
  },
});

export const versionCommand = defineCommand({
  name: 'version',
  group: 'Help',
  summary: 'Show the version of paddock',
  usage: 'version',
  options: {},
  examples: ['paddock version', 'paddock --version'],
  async run(ctx) {
    ctx.out.data({ version: ctx.version, node: process.version }, () => ctx.out.line(`paddock ${ctx.version} (node ${process.version})`));
  },
});
