import { useState } from 'react';
import type { PhasePlan } from '../../../../shared/meeting/phases';
import type { MeetingView } from '../../../../shared/meeting/view';
import { MAX_CASES } from '../../../../shared/meeting/phases';
import { useT } from '../../i18n';
import { minutesOf } from '../../meeting/format';
import type { RunCommand } from './useCommand';

/** Every phase with past / current / next, editable durations, and a jump. */
export function Timeline({ view, run }: { view: MeetingView; run: RunCommand }) {
  const t = useT();
  const cur = view.currentIndex;
  return (
    <section className="panel" aria-labelledby="timeline-title">
      <h2 id="timeline-title">{t('lead.timeline')}</h2>
      <ol className="timeline">
        {view.phases.map((phase, i) => {
          const state = cur === null ? 'next' : i < cur ? 'past' : i === cur ? 'current' : 'next';
          return (
            <li
              key={phase.id}
              className={`timeline-item is-${state}`}
              aria-current={state === 'current' ? 'step' : undefined}
            >
              <span className="timeline-name">
                {t(`phase.${phase.kind}`)}
                {view.cases.length > 1 && phase.caseIndex !== null && (
                  <small> · {t('phase.caseN', { n: phase.caseIndex + 1 })}</small>
                )}
              </span>
              <span className="timeline-state">
                {state === 'current' ? t('lead.now') : state === 'past' ? t('lead.done') : ''}
              </span>
              <DurationInput phase={phase} run={run} />
              {view.status === 'running' && state !== 'current' && (
                <button
                  type="button"
                  className="button-small"
                  onClick={() => void run({ type: 'phase:jump', phaseId: phase.id })}
                  aria-label={`${t('lead.jump')}: ${t(`phase.${phase.kind}`)}`}
                >
                  {t('lead.jump')}
                </button>
              )}
            </li>
          );
        })}
      </ol>
      {view.cases.length < MAX_CASES && view.status !== 'ended' && (
        <button type="button" className="button-small" onClick={() => void run({ type: 'case:add' })}>
          {t('lead.addCase')}
        </button>
      )}
    </section>
  );
}

function DurationInput({ phase, run }: { phase: PhasePlan; run: RunCommand }) {
  const t = useT();
  const planned = minutesOf(phase.plannedMs);
  const [draft, setDraft] = useState<string | null>(null);
  function commit() {
    if (draft === null) return;
    const minutes = Number(draft);
    setDraft(null);
    if (Number.isInteger(minutes) && minutes >= 1 && minutes <= 180 && minutes !== planned) {
      void run({ type: 'phase:setDuration', phaseId: phase.id, minutes });
    }
  }
  return (
    <label className="duration">
      <input
        type="number"
        inputMode="numeric"
        min={1}
        max={180}
        value={draft ?? String(planned)}
        onChange={(e) => setDraft(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') commit();
          if (e.key === 'Escape') setDraft(null);
        }}
        aria-label={t('lead.phaseDuration', { phase: t(`phase.${phase.kind}`) })}
      />
      <span aria-hidden="true">{t('common.minutesUnit')}</span>
    </label>
  );
}
