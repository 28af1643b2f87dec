// Loading state of the organisations list.
import { PageLoading } from '@/app/ui/page-loading';

export default PageLoading;
