// `paddock-runtime clearsessions`: deletes expired sessions from the database store (cache sessions expire by themselves).
import { defineCommand } from '../../../commands/command.js';
import { DatabaseSessionStore } from '../backends/db.js';

export default defineCommand({
  help: 'delete expired database sessions',
  async run({ out }) {
    out(`Deleted ${await new DatabaseSessionStore().clearExpired()} expired sessions.`);
  },
});
