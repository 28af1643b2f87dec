// A blank site: one page, ready for apps. Add a folder per app and list it in `apps`.
import { defineSite, path, render, type Request } from '@paddock/runtime';

export default defineSite({
  apps: [],
  urls: [
    path('', (req: Request) => render(req, 'home.html'), { name: 'home' }),
  ],
  settings: {
    ALLOWED_HOSTS: ['localhost', '.localhost', '127.0.0.1'],
  },
});
