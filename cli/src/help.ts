// Help text: the overview of every command, one command's usage, options and examples, exit codes.
import { globalOptions, type Command, type OptionSpecs } from './command.js';
import { exitCodeDocs } from './exit-codes.js';
import type { Output } from './output.js';

const groupOrder: ReadonlyArray<Command['group']> = ['Account', 'Local development', 'Sites', 'Deploy', 'Run-time', 'Help'];

export function overviewHelp(out: Output, commands: readonly Command[], version: string): string {
  const lines: string[] = [];
  lines.push(`${out.bold('paddock')} ${version} — sign up, create sites, push code and run them on Paddock.`, '');
  lines.push(`${out.bold('Usage:')} paddock <command> [options]`, '');
  const width = Math.max(...commands.map((c) => c.name.length + (c.aliases?.length ? c.aliases.join(', ').length + 4 : 0)));
  for (const group of groupOrder) {
    const inGroup = commands.filter((c) => c.group === group);
    if (!inGroup.length) continue;
    lines.push(out.bold(`${group}:`));
    for (const c of inGroup) {
      const label = c.aliases?.length ? `${c.name} (${c.aliases.join(', ')})` : c.name;
      lines.push(`  ${label.padEnd(width + 2)}${c.summary}`);
    }
    lines.push('');
  }
  lines.push(out.bold('Global options:'), ...optionLines(globalOptions), '');
  lines.push(out.bold('Environment:'));
  lines.push('  PADDOCK_API    API address, e.g. https://paddock.example.com');
  lines.push('  PADDOCK_TOKEN  an API token (for CI); takes precedence over `paddock login`');
  lines.push('  PADDOCK_SITE   the site, instead of --site or a linked directory');
  lines.push('  NO_COLOR       no colours', '');
  lines.push(`Run ${out.cyan('paddock <command> --help')} for a command's options and examples, ${out.cyan('paddock help exit-codes')} for exit codes.`);
  lines.push(`Documentation (tutorial, guides, reference): docs/index.md in Paddock's source; ${out.cyan('npm run docs')} there serves it at http://localhost:8100/.`);
  return lines.join('\n');
}

export function commandHelp(out: Output, c: Command): string {
  const lines: string[] = [];
  lines.push(`${out.bold('Usage:')} paddock ${c.usage}`, '');
  lines.push(c.summary);
  if (c.description) lines.push('', c.description);
  if (c.aliases?.length) lines.push('', `${out.bold('Aliases:')} ${c.aliases.join(', ')}`);
  if (Object.keys(c.options).length) lines.push('', out.bold('Options:'), ...optionLines(c.options));
  lines.push('', out.bold('Global options:'), ...optionLines(globalOptions));
  lines.push('', out.bold('Examples:'), ...c.examples.map((e) => `  ${out.dim('$')} ${e}`));
  return lines.join('\n');
}

export function exitCodesHelp(out: Output): string {
  return [out.bold('Exit codes of paddock:'), ...exitCodeDocs.map(([code, text]) => `  ${String(code).padStart(3)}  ${text}`)].join('\n');
}

function optionLines(options: OptionSpecs): string[] {
  const labels = Object.entries(options).map(([name, o]) => {
    const short = o.short ? `-${o.short}, ` : '    ';
    const value = o.type === 'string' ? ` <${o.placeholder ?? 'value'}>` : '';
    return [`${short}--${name}${value}${o.multiple ? ' ...' : ''}`, o.description] as const;
  });
  const width = Math.max(...labels.map(([l]) => l.length));
  return labels.map(([l, d]) => `  ${l.padEnd(width + 2)}${d}`);
}
