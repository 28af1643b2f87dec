// Loading state of the sites list (only: a site's page has its own, below the layout that answers 404 for a missing site).
import { PageLoading } from '@/app/ui/page-loading';

export default PageLoading;
