// The auth app's URLs, to include under a prefix: include('accounts/', authUrls).
import { path } from '../../urls/patterns.js';
import { loginView, logoutView, passwordChangeView, passwordResetConfirmView, passwordResetView } from './views.js';

export const authUrls = [
  path('login/', loginView, { name: 'login' }),
  path('logout/', logoutView, { name: 'logout' }),
  path('password_change/', passwordChangeView, { name: 'password_change' }),
  path('password_reset/', passwordResetView, { name: 'password_reset' }),
  path('reset/<str:uidb64>/<str:token>/', passwordResetConfirmView, { name: 'password_reset_confirm' }),
];

export default authUrls;
