// `paddock-runtime createsuperuser --username U [--email E]`: an admin account from the command line or a release
// script. The password never goes on the command line: PADDOCK_SUPERUSER_PASSWORD, or the first line of stdin.
import { CommandError, ValidationError } from '../../../errors.js';
import { defineCommand } from '../../../commands/command.js';
import { createSuperuser } from '../management.js';

export default defineCommand({
  help: 'create an admin account; the password comes from\nPADDOCK_SUPERUSER_PASSWORD or the first line of stdin',
  usage: '--username U [--email E]',
  options: {
    username: { type: 'string', placeholder: 'U', description: 'the new account\'s username' },
    email: { type: 'string', placeholder: 'E', description: 'its e-mail address' },
  },
  async run({ values, out, readLine }) {
    if (!values.username) throw new CommandError('createsuperuser needs --username.', { usage: true });
    const password = process.env.PADDOCK_SUPERUSER_PASSWORD
      ?? await readLine('Set PADDOCK_SUPERUSER_PASSWORD or pipe the password on stdin (it is never taken as an argument).');
    try {
      const user = await createSuperuser({ username: values.username, email: values.email, password });
      out(`Superuser '${user.username}' created.`);
    } catch (e) {
      if (e instanceof ValidationError) throw new CommandError(e.message);
      throw e;
    }
  },
});
