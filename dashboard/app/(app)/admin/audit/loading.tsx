// Loading state of the audit log. The admin area has no loading state of its own: a site's page
// answers 404 from its layout before anything streams (see sites/[id]/layout.tsx).
import { PageLoading } from '@/app/ui/page-loading';

export default PageLoading;
