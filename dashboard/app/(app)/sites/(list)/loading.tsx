// Loading state of this section's pages.
import { PageLoading } from '@/app/ui/page-loading';

export default PageLoading;
