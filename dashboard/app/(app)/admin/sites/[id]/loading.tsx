// Loading state of a site's page, below the layout that answers 404 for a missing site.
import { PageLoading } from '@/app/ui/page-loading';

export default PageLoading;
