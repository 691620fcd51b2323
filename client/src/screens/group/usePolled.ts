import { useCallback, useEffect, useState } from 'react';
import type { ApiResult } from '../../connection/api';

/** How often a group page asks again (admission, a meeting going live): a REST poll, no socket. */
export const GROUP_POLL_MS = 10_000;

/** Loads once, then every GROUP_POLL_MS while the page is open; `reload` after an action. */
export function usePolled<T>(load: (() => Promise<ApiResult<T>>) | null) {
  const [result, setResult] = useState<ApiResult<T> | null>(null);
  const reload = useCallback(async () => {
    if (!load) return;
    setResult(await load());
  }, [load]);
  useEffect(() => {
    if (!load) return;
    let live = true;
    const run = () =>
      void load().then((r) => {
        if (live) setResult(r);
      });
    run();
    const timer = setInterval(run, GROUP_POLL_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [load]);
  return { result, reload };
}
