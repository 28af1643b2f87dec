// What a missing page, site or organisation looks like: plain words and a way back.
import Link from 'next/link';

export default function NotFound() {
  return (
    <div className="narrow stack">
      <h1>Not found</h1>
      <p>There is nothing here, or it is not yours to see.</p>
      <p><Link href="/sites">Back to your sites</Link></p>
    </div>
  );
}
