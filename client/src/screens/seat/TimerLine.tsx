import type { MeetingView } from '../../../../shared/meeting/view';
import { useTimeWarning } from '../../a11y/useTimeWarning';
import { Countdown } from '../../components/Countdown';
import { useT } from '../../i18n';

/** The countdown if the leader shares it; otherwise a quiet line saying the leaders keep time. */
export function TimerLine({ view }: { view: MeetingView }) {
  const t = useT();
  // Only who sees the timer hears the two-minute warning; it stays a quiet line here.
  const warning = useTimeWarning(view);
  if (view.status !== 'running') return null;
  if (view.timer) {
    return (
      <>
        <Countdown timer={view.timer} size="small" />
        {warning && <p className="time-warning time-warning-small">{t('timer.twoMinutes')}</p>}
      </>
    );
  }
  return <p className="timer-hidden">{t('timer.hidden')}</p>;
}
