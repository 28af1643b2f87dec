// Terse, readable progress lines for the dev scripts.
const tty = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code) => (s) => (tty ? `\x1b[${code}m${s}\x1b[0m` : s);
export const bold = paint('1');
export const dim = paint('2');
export const green = paint('32');
export const red = paint('31');
export const yellow = paint('33');

export const step = (msg) => console.log(`${dim('•')} ${msg}`);
export const ok = (msg) => console.log(`${green('✓')} ${msg}`);
export const warn = (msg) => console.log(`${yellow('!')} ${msg}`);

/** An error the user can act on: what failed, and what to do next. */
export class StackError extends Error {
  constructor(message, hint) {
    super(message);
    this.hint = hint;
  }
}

export function fail(err) {
  console.error(`${red('✗')} ${err.message}`);
  if (err.hint) console.error(`  ${err.hint}`);
  else if (!(err instanceof StackError)) console.error(err.stack);
  process.exit(1);
}
