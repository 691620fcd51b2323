import { useEffect } from 'react';
import { useT } from '../i18n';

/**
 * Names the browser tab after the screen and the meeting ("Console · Thursday group"), so that
 * the console and the projector open side by side on one laptop can be told apart.
 */
export function useDocumentTitle(screen: string, meetingTitle?: string | null): void {
  const t = useT();
  const app = t('app.name');
  useEffect(() => {
    const parts = [screen, meetingTitle?.trim(), app].filter((p): p is string => !!p);
    // Two parts are enough when the screen already is the app's name (the start page).
    document.title = [...new Set(parts)].join(' · ');
  }, [screen, meetingTitle, app]);
}
