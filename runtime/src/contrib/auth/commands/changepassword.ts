// `paddock-runtime changepassword <username>`: sets a user's password, checked by the site's password validators.
// The password never goes on the command line: PADDOCK_NEW_PASSWORD, or the first line of stdin. Every session of
// the user ends (they carry a hash of the old password).
import { CommandError, ValidationError } from '../../../errors.js';
import { defineCommand } from '../../../commands/command.js';
import { changePassword } from '../management.js';

export default defineCommand({
  help: 'set a user\'s password (from PADDOCK_NEW_PASSWORD or the\nfirst line of stdin); logs the user out everywhere',
  usage: '<username>',
  maxPositionals: 1,
  async run({ positionals, out, readLine }) {
    const username = positionals[0];
    if (!username) throw new CommandError('changepassword needs a username: paddock-runtime changepassword alice', { usage: true });
    const password = process.env.PADDOCK_NEW_PASSWORD
      ?? await readLine('Set PADDOCK_NEW_PASSWORD or pipe the password on stdin (it is never taken as an argument).');
    try {
      await changePassword({ username, password });
    } catch (e) {
      if (e instanceof ValidationError) throw new CommandError(e.message);
      throw e;
    }
    out(`Password changed for user '${username}'.`);
  },
});
