// The admin's history: one row per add, change or delete made through the admin (Django's LogEntry).
import { fields, model, type Instance } from '../../db/index.js';
import type { UserInstance } from '../auth/models.js';

export const ADDITION = 1;
export const CHANGE = 2;
export const DELETION = 3;

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

export type LogEntryInstance = Instance<typeof LogEntry>;
