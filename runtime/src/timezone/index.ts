// @paddock/runtime/timezone: the current time zone (per request, else TIME_ZONE), converting between instants and
// the wall-clock times people read and type, the time zone middleware and the set_timezone view.
export {
  activateTimezone, deactivateTimezone, overrideTimezone, getCurrentTimezone, getDefaultTimezone, timezoneName, now,
  localdate, wallTime, utcOffset, fromWallTime, toLocalInput, isoInZone, type WallTime, type WallTimeProblem,
} from './timezone.js';
export { timezoneMiddleware, setTimezone, type TimezoneMiddlewareOptions } from './middleware.js';
