import type { MeetingView } from '../../../../shared/meeting/view';
import { Countdown } from '../../components/Countdown';
import { useT } from '../../i18n';

/** The countdown if the leader shares it; otherwise a quiet line saying the leaders keep time. */
export function TimerLine({ view }: { view: MeetingView }) {
  const t = useT();
  if (view.status !== 'running') return null;
  if (view.timer) return <Countdown timer={view.timer} size="small" />;
  return <p className="timer-hidden">{t('timer.hidden')}</p>;
}
