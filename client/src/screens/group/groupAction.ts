import type { ApiResult } from '../../connection/api';

/** Runs one group call, then reloads the page's view; the error (if any) is shown by the page. */
export type GroupAction = (call: (token: string) => Promise<ApiResult<unknown>>) => Promise<boolean>;
