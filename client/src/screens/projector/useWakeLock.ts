import { useEffect } from 'react';

/**
 * Keeps the room's screen awake while the projector page is open, where the browser offers a
 * screen wake lock (secure contexts only; a plain-HTTP LAN page simply goes without). The browser
 * drops the lock whenever the page is hidden, so it is asked for again on return.
 */
export function useWakeLock(): void {
  useEffect(() => {
    const wakeLock = (navigator as Navigator & { wakeLock?: WakeLock }).wakeLock;
    if (!wakeLock) return;
    let sentinel: WakeLockSentinel | null = null;
    let live = true;
    const request = () => {
      if (document.visibilityState !== 'visible') return;
      wakeLock.request('screen').then(
        (s) => {
          if (live) sentinel = s;
          else void s.release();
        },
        // Refused (battery saver, no permission): the screen may sleep, nothing else changes.
        () => {},
      );
    };
    request();
    document.addEventListener('visibilitychange', request);
    return () => {
      live = false;
      document.removeEventListener('visibilitychange', request);
      void sentinel?.release();
    };
  }, []);
}
