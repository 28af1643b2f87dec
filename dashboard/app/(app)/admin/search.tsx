// A GET search form: the query lives in the URL, so results can be bookmarked and the back button works.
import Form from 'next/form';
import type { Route } from 'next';

export function SearchBox({ action, q, label, name = 'q' }: { action: Route; q: string; label: string; name?: string }) {
  return (
    <Form action={action} className="search" role="search">
      <label htmlFor={`search-${name}`} className="sr-only">{label}</label>
      <input id={`search-${name}`} name={name} type="search" defaultValue={q} placeholder={label} />
      <button type="submit" className="button button-secondary">Search</button>
    </Form>
  );
}
