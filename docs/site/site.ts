// The documentation as a website, built with the runtime it documents: `npm run docs` serves it at
// http://localhost:8100/. Every page is a Markdown file of docs/, rendered when asked for.
import { defineSite, path } from '@paddock/runtime';
import { page } from './pages/views.js';

export default defineSite({
  apps: ['pages'],
  urls: [
    path('', page, { name: 'home' }),
    path('<path:slug>', page, { name: 'page' }),
  ],
  settings: {
    ALLOWED_HOSTS: ['localhost', '.localhost', '127.0.0.1', '[::1]'],
  },
});
