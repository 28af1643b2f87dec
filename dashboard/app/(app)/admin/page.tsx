// The admin area's entry: straight to the sites table, the page operators use most.
import { redirect } from 'next/navigation';

export default function AdminPage() {
  redirect('/admin/sites');
}
