// The admin battery: list `adminApp` (after authApp) in the site's apps, register models on `adminSite` in each
// app's admin.ts, and include('admin/', adminSite.urls). Needs sessions, messages and auth middleware.
import { app } from '../../site/define.js';

/** The admin as an app: list it in defineSite({ apps }) (after authApp) for its templates, static files and history table. */
export const adminApp = app('admin', new URL('.', import.meta.url));

export { AdminSite, adminSite } from './site.js';
export { ModelAdmin, type ModelAdminOptions, type AdminAction, type ListColumn } from './options.js';
export { LogEntry, ADDITION, CHANGE, DELETION, type LogEntryInstance } from './models.js';
export { registerAuthAdmin } from '../auth/admin.js';
