import type { MeetingView } from '../../../../shared/meeting/view';
import { useTimeWarning } from '../../a11y/useTimeWarning';
import { Countdown, timeLeftMs } from '../../components/Countdown';
import { PhaseHeader } from '../../components/PhaseHeader';
import { useServerClock, useServerNow } from '../../connection';
import { useLanguage, useT } from '../../i18n';
import { chimeEnabled, playChime } from '../../meeting/chime';
import { formatTimeOfDay } from '../../meeting/format';
import type { RunCommand } from './useCommand';

/** When the whole meeting ends if the rest runs as planned (the server's TIME-7, computed live). */
function projectedEnd(view: MeetingView, serverNow: number): number {
  let at = serverNow;
  let from = 0;
  if (view.currentIndex !== null && view.timer) {
    at += Math.max(0, timeLeftMs(view.timer, serverNow));
    from = view.currentIndex + 1;
  }
  for (let i = from; i < view.phases.length; i++) at += view.phases[i]?.plannedMs ?? 0;
  return at;
}

export function TimerPanel({ view, run }: { view: MeetingView; run: RunCommand }) {
  const t = useT();
  const lang = useLanguage();
  const now = useServerNow();
  const { offsetMs } = useServerClock();
  const running = view.status === 'running';
  const paused = view.timer?.state === 'paused';
  const first = view.currentIndex === 0;
  const last = view.currentIndex === view.phases.length - 1;
  // The projected end is shown in this device's local time: undo the offset.
  const endLocal = projectedEnd(view, now) - offsetMs;
  // Two minutes before the end: a calm visual cue, an announcement, and the chime if chosen.
  const warning = useTimeWarning(view, () => {
    if (chimeEnabled()) playChime();
  });

  return (
    <section
      className={`panel timer-panel${warning ? ' is-warning' : ''}`}
      aria-label={t('timer.remaining')}
      data-warning={warning}
    >
      <PhaseHeader view={view} />
      {running && view.timer && <Countdown timer={view.timer} size="huge" />}
      {warning && (
        <p className="time-warning" data-testid="time-warning">
          {t('timer.twoMinutes')}
        </p>
      )}
      {view.status !== 'ended' && (
        <p className="projected-end" data-testid="projected-end">
          {t('timer.projectedEnd', { time: formatTimeOfDay(endLocal, lang) })}
        </p>
      )}
      {view.status === 'lobby' && (
        <button
          type="button"
          className="button-primary button-big"
          onClick={() => void run({ type: 'meeting:start' })}
        >
          {t('lead.start')}
        </button>
      )}
      {running && (
        <>
          <div className="controls" role="group" aria-label={t('timer.remaining')}>
            {paused ? (
              <button
                type="button"
                className="button-primary"
                onClick={() => void run({ type: 'timer:resume' })}
              >
                {t('lead.resume')}
              </button>
            ) : (
              <button type="button" onClick={() => void run({ type: 'timer:pause' })}>
                {t('lead.pause')}
              </button>
            )}
            <button type="button" onClick={() => void run({ type: 'timer:adjust', minutes: -1 })}>
              {t('lead.minus1')}
            </button>
            <button type="button" onClick={() => void run({ type: 'timer:adjust', minutes: 1 })}>
              {t('lead.plus1')}
            </button>
            <button type="button" onClick={() => void run({ type: 'timer:adjust', minutes: 5 })}>
              {t('lead.plus5')}
            </button>
          </div>
          <div className="controls" role="group">
            <button type="button" disabled={first} onClick={() => void run({ type: 'phase:previous' })}>
              ← {t('lead.previous')}
            </button>
            <button
              type="button"
              className="button-primary"
              disabled={last}
              onClick={() => void run({ type: 'phase:next' })}
            >
              {t('lead.next')} →
            </button>
          </div>
        </>
      )}
      {view.status !== 'ended' && (
        <p className="end-row">
          <button
            type="button"
            className="button-danger"
            onClick={() => {
              if (confirm(t('lead.endConfirm'))) void run({ type: 'meeting:end' });
            }}
          >
            {t('lead.end')}
          </button>
        </p>
      )}
    </section>
  );
}
