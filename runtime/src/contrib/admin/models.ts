// The admin's history: one row per add, change or delete made through the admin (Django's LogEntry).
import { fields, model, type Instance } from '../../db/index.js';
import type { UserInstance } from '../auth/models.js';

/** LogEntry.actionFlag of an object added in the admin. */
export const ADDITION = 1;
/** LogEntry.actionFlag of an object changed in the admin (or by an admin action). */
export const CHANGE = 2;
/** LogEntry.actionFlag of an object deleted in the admin. */
export const DELETION = 3;

/** The admin's history: who added, changed or deleted which object, when, and what changed. */
export const LogEntry = model('admin.LogEntry', {
  id: fields.auto(),
  actionTime: fields.datetime({ default: () => new Date(), index: true }),
  user: fields.foreignKey<UserInstance>('auth.User', { onDelete: 'cascade', relatedName: 'adminLogEntries' }),
  /** "blog.post": the model the change was about. */
  contentType: fields.char({ maxLength: 200, index: true }),
  objectId: fields.char({ maxLength: 200, index: true }),
  objectRepr: fields.char({ maxLength: 200 }),
  actionFlag: fields.integer({ choices: [[ADDITION, 'Addition'], [CHANGE, 'Change'], [DELETION, 'Deletion']] }),
  changeMessage: fields.text({ blank: true, default: '' }),
}, { ordering: ['-actionTime', '-id'], verboseName: 'log entry' });

/** One history entry. */
export type LogEntryInstance = Instance<typeof LogEntry>;
