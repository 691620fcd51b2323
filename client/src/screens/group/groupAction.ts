import type { ApiResult } from '../../connection/api';

/** Runs one group call, then reloads the page's view; the error (if any) is shown by the page. */
export type GroupAction = (call: (token: string) => Promise<ApiResult<unknown>>) => Promise<boolean>;

/** What a group page's panel needs to make its own calls: the group, the device's token, and its side. */
export interface GroupPanelProps {
  groupId: string;
  token: string;
  leader: boolean;
}
