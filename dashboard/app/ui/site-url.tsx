// A site's address as a link that wraps, when it must, only before a dot or after the scheme:
// "http://blog" / ".localhost:8080", never inside the host or the port.
import { Fragment } from 'react';

export function SiteUrl({ url, bare = false, testId }: { url: string; bare?: boolean; testId?: string }) {
  const shown = bare ? url.replace(/^https?:\/\//, '') : url;
  const parts = shown.split(/(?=\.)|(?<=\/\/)/);
  return (
    <a href={url} className="site-url" data-testid={testId}>
      {parts.map((p, i) => <Fragment key={i}>{i > 0 ? <wbr /> : null}{p}</Fragment>)}
    </a>
  );
}
