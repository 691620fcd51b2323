import { useEffect, useState } from 'react';
import { useT } from '../../i18n';

/** The button steps out of the room's sight this long after the pointer last moved. */
export const FULLSCREEN_FADE_MS = 5_000;

/** Full screen for the room's display; shown while someone moves the pointer, then it fades. */
export function FullscreenButton() {
  const t = useT();
  const [awake, setAwake] = useState(true);
  const [full, setFull] = useState(() => document.fullscreenElement !== null);

  useEffect(() => {
    let timer = setTimeout(() => setAwake(false), FULLSCREEN_FADE_MS);
    const wake = () => {
      setAwake(true);
      clearTimeout(timer);
      timer = setTimeout(() => setAwake(false), FULLSCREEN_FADE_MS);
    };
    const onChange = () => setFull(document.fullscreenElement !== null);
    window.addEventListener('pointermove', wake);
    window.addEventListener('pointerdown', wake);
    document.addEventListener('fullscreenchange', onChange);
    return () => {
      clearTimeout(timer);
      window.removeEventListener('pointermove', wake);
      window.removeEventListener('pointerdown', wake);
      document.removeEventListener('fullscreenchange', onChange);
    };
  }, []);

  if (!document.fullscreenEnabled) return null;
  return (
    <button
      type="button"
      className={`projector-fullscreen${awake ? '' : ' is-faded'}`}
      data-testid="projector-fullscreen"
      // Faded, it is out of the tab order too: nobody tabs onto a button they cannot see.
      tabIndex={awake ? 0 : -1}
      aria-hidden={!awake}
      onClick={() => {
        if (document.fullscreenElement) void document.exitFullscreen();
        else void document.documentElement.requestFullscreen().catch(() => {});
      }}
    >
      {full ? t('projector.exitFullscreen') : t('projector.fullscreen')}
    </button>
  );
}
