// The database session backend's table (Django's django_session): the key, the data as JSON, the expiry.
import { fields, model, type Instance } from '../../db/index.js';

/** The table of DatabaseSessionStore: one row per session key, with its data and expiry. */
export const SessionRecord = model('sessions.Session', {
  sessionKey: fields.char({ maxLength: 40, primaryKey: true }),
  sessionData: fields.json(),
  expireDate: fields.datetime({ index: true }),
}, { verboseName: 'session' });

/** One stored session. */
export type SessionRecordInstance = Instance<typeof SessionRecord>;
