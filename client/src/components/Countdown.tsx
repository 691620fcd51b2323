import { useServerNow } from '../connection';
import type { TimerView } from '../../../shared/meeting/view';
import { useT } from '../i18n';
import { formatCountdown, remainingSeconds } from '../meeting/format';

/** Time left in a running phase, from the deadline and the server clock: nothing counts down. */
export function timeLeftMs(timer: TimerView, serverNow: number): number {
  if (timer.state === 'paused' || timer.endsAt === null) return timer.remainingMs ?? 0;
  // A small offset error must not show more time than the phase has (e.g. 5:01 of 5:00).
  return Math.min(timer.endsAt - serverNow, timer.endsAt - timer.startedAt);
}

export function Countdown({
  timer,
  size = 'large',
}: {
  timer: TimerView;
  size?: 'large' | 'small' | 'huge';
}) {
  const t = useT();
  const now = useServerNow();
  const left = timeLeftMs(timer, now);
  const overtime = left < 0;
  const label =
    timer.state === 'paused' ? t('timer.paused') : overtime ? t('timer.overtime') : t('timer.remaining');
  return (
    <div
      className={`countdown countdown-${size}${overtime ? ' is-overtime' : ''}${timer.state === 'paused' ? ' is-paused' : ''}`}
      data-testid="countdown"
      data-remaining-s={remainingSeconds(left)}
    >
      <span className="countdown-label">{label}</span>
      {/* A screen reader hears the label, not every tick of the digits. */}
      <span className="countdown-digits" aria-hidden="true">
        {formatCountdown(left)}
      </span>
    </div>
  );
}
