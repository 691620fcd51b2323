import type { TurnTimerView } from '../../../shared/spoken/view';
import { useServerClock, useServerNow } from '../connection';
import { useT } from '../i18n';
import { formatCountdown, remainingSeconds } from '../meeting/format';
import { timeLeftMs } from './Countdown';

/**
 * A speaker's soft time (ROUND-6), from the server's deadline like the phase timer. Never a
 * sound; overtime only for leaders: the speaker's time rests at 0:00.
 */
export function TurnTime({ timer, overtime }: { timer: TurnTimerView; overtime: boolean }) {
  const t = useT();
  const now = useServerNow();
  const { offsetMs } = useServerClock();
  const raw = timeLeftMs(timer, now);
  const left = overtime ? raw : Math.max(0, raw);
  return (
    <p
      className={`turn-time${raw < 0 && overtime ? ' is-overtime' : ''}`}
      data-testid="turn-time"
      data-remaining-s={remainingSeconds(left)}
      // The deadline on this device's own clock: tests compare screens whose clocks differ.
      data-ends-local={timer.endsAt === null ? undefined : timer.endsAt - offsetMs}
    >
      <span className="turn-time-label">{t('round.turnLeft')}</span>{' '}
      <span className="turn-time-digits" aria-hidden="true">
        {formatCountdown(left)}
      </span>
    </p>
  );
}
