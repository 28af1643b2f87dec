// The edge's own answers: the page for a host no site owns and the page for a suspended site.
export const notFoundPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>No site here</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36em;margin:4em auto;padding:0 1em;color:#222}</style></head>
<body><h1>No site here</h1><p>Nothing is served at this address on Paddock. If it is your site, check its name,
or add this domain to it in the dashboard.</p></body></html>
`;

export const suspendedPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Site unavailable</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36em;margin:4em auto;padding:0 1em;color:#222}</style></head>
<body><h1>This site is unavailable</h1><p>It has been suspended. If it is yours, the dashboard says why and how
to restore it.</p></body></html>
`;

export const wakeFailedPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Site starting</title></head>
<body><h1>This site could not start</h1><p>Try again in a moment.</p></body></html>
`;
