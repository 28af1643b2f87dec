// Loading state of a site's pages, below the layout that checks the site exists.
import { PageLoading } from '@/app/ui/page-loading';

export default PageLoading;
