// The battery apps for test databases, without importing the whole admin.
export { authApp } from '../../../src/contrib/auth/index.js';
export { sessionsApp } from '../../../src/contrib/sessions/index.js';
