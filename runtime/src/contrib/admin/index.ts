// The admin battery: list `adminApp` (after authApp) in the site's apps, register models on `adminSite` in each
// app's admin.ts, and include('admin/', adminSite.urls). Needs sessions, messages and auth middleware.
import { app } from '../../site/define.js';

/** The admin as an app: list it in defineSite({ apps }) (after authApp) for its templates, static files and history table. */
export const adminApp = app('admin', new URL('.', import.meta.url));

export { AdminSite, adminSite } from './site.js';
export {
  ModelAdmin, InlineModelAdmin, tabularInline, stackedInline, type ModelAdminOptions, type InlineOptions, type AdminAction,
  type ListColumn, type ReadonlyField, type ComputedValue, type Fieldset, type FieldsetOptions, type FieldLine,
} from './options.js';
export { describeChange, type ChangePart } from './history.js';
export { LogEntry, ADDITION, CHANGE, DELETION, type LogEntryInstance } from './models.js';
export { registerAuthAdmin } from '../auth/admin.js';
