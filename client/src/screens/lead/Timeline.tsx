import { useState, type FormEvent } from 'react';
import {
  CASE_PHASE_KINDS,
  MAX_CASES,
  MAX_PHASES,
  PHASE_KINDS,
  type PhaseKind,
  type PhasePlan,
} from '../../../../shared/meeting/phases';
import type { MeetingView } from '../../../../shared/meeting/view';
import { InlineField } from '../../components/InlineField';
import { useT } from '../../i18n';
import { minutesOf } from '../../meeting/format';
import { phasesOf, PLAN_NAME_MAX, savePlan } from '../../meeting/savedPlans';
import type { RunCommand } from './useCommand';

/** Every phase with past / current / next, editable durations, a jump, add and remove. */
export function Timeline({ view, run }: { view: MeetingView; run: RunCommand }) {
  const t = useT();
  const cur = view.currentIndex;
  const editable = view.status !== 'ended';
  return (
    <section className="panel" aria-labelledby="timeline-title">
      <h2 id="timeline-title">{t('lead.timeline')}</h2>
      <ol className="timeline" data-testid="timeline">
        {view.phases.map((phase, i) => {
          const state = cur === null ? 'next' : i < cur ? 'past' : i === cur ? 'current' : 'next';
          const name = t(`phase.${phase.kind}`);
          return (
            <li
              key={phase.id}
              className={`timeline-item is-${state}`}
              aria-current={state === 'current' ? 'step' : undefined}
            >
              <span className="timeline-name">
                {name}
                {view.cases.length > 1 && phase.caseIndex !== null && (
                  <small> · {t('phase.caseN', { n: phase.caseIndex + 1 })}</small>
                )}
              </span>
              <span className="timeline-state">
                {state === 'current' ? t('lead.now') : state === 'past' ? t('lead.done') : ''}
              </span>
              <DurationInput phase={phase} run={run} />
              <span className="timeline-actions">
                {view.status === 'running' && state !== 'current' && (
                  <button
                    type="button"
                    className="button-small"
                    onClick={() => void run({ type: 'phase:jump', phaseId: phase.id })}
                    aria-label={`${t('lead.jump')}: ${name}`}
                  >
                    {t('lead.jump')}
                  </button>
                )}
                {editable && state !== 'current' && view.phases.length > 1 && (
                  <button
                    type="button"
                    className="button-small button-quiet"
                    onClick={() => void run({ type: 'phase:remove', phaseId: phase.id })}
                    aria-label={t('lead.removePhase', { phase: name })}
                  >
                    {t('lead.remove')}
                  </button>
                )}
              </span>
            </li>
          );
        })}
      </ol>
      {editable && (
        <div className="timeline-tools">
          {view.phases.length < MAX_PHASES && <AddPhase view={view} run={run} />}
          {view.cases.length < MAX_CASES && (
            <button type="button" className="button-small" onClick={() => void run({ type: 'case:add' })}>
              {t('lead.addCase')}
            </button>
          )}
        </div>
      )}
      <SavePlan view={view} />
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

/** The case a new phase belongs to: case phases join the case of the phase before them. */
function caseForNewPhase(view: MeetingView, kind: PhaseKind, afterIndex: number): number | null {
  if (!CASE_PHASE_KINDS.includes(kind)) return null;
  for (let i = afterIndex; i >= 0; i--) {
    const c = view.phases[i]?.caseIndex;
    if (c !== null && c !== undefined) return c;
  }
  const later = view.phases.slice(afterIndex + 1).find((p) => p.caseIndex !== null);
  return later?.caseIndex ?? 0;
}

function AddPhase({ view, run }: { view: MeetingView; run: RunCommand }) {
  const t = useT();
  const [kind, setKind] = useState<PhaseKind>('opening');
  const [minutes, setMinutes] = useState('5');
  const [after, setAfter] = useState(String(view.phases.length - 1));
  const afterIndex = Math.min(Number(after), view.phases.length - 1);
  function submit(event: FormEvent) {
    event.preventDefault();
    const m = Number(minutes);
    if (!Number.isInteger(m) || m < 1 || m > 180) return;
    const afterPhase = afterIndex >= 0 ? view.phases[afterIndex] : undefined;
    void run({
      type: 'phase:add',
      kind,
      minutes: m,
      afterPhaseId: afterPhase?.id ?? null,
      caseIndex: caseForNewPhase(view, kind, afterIndex),
    });
  }
  return (
    <details className="add-phase">
      <summary>{t('lead.addPhase')}</summary>
      <form className="add-phase-form" onSubmit={submit}>
        <InlineField label={t('lead.phaseKind')}>
          {(id) => (
            <select id={id} value={kind} onChange={(e) => setKind(e.target.value as PhaseKind)}>
              {/* FOLLOW-5: a follow-up phase belongs to a group's meeting only. */}
              {PHASE_KINDS.filter((k) => view.inGroup || k !== 'follow-up').map((k) => (
                <option key={k} value={k}>
                  {t(`phase.${k}`)}
                </option>
              ))}
            </select>
          )}
        </InlineField>
        <InlineField label={t('common.minutesUnit')}>
          {(id) => (
            <input
              id={id}
              type="number"
              inputMode="numeric"
              min={1}
              max={180}
              value={minutes}
              onChange={(e) => setMinutes(e.target.value)}
            />
          )}
        </InlineField>
        <InlineField label={t('lead.phasePosition')}>
          {(id) => (
            <select id={id} value={String(afterIndex)} onChange={(e) => setAfter(e.target.value)}>
              <option value="-1">{t('lead.atTheStart')}</option>
              {view.phases.map((p, i) => (
                <option key={p.id} value={String(i)}>
                  {t('lead.afterPhase', {
                    phase:
                      t(`phase.${p.kind}`) +
                      (view.cases.length > 1 && p.caseIndex !== null
                        ? ` · ${t('phase.caseN', { n: p.caseIndex + 1 })}`
                        : ''),
                  })}
                </option>
              ))}
            </select>
          )}
        </InlineField>
        <button type="submit" className="button-small">
          {t('lead.addPhaseSubmit')}
        </button>
      </form>
    </details>
  );
}

/** Keeps this meeting's phases as the leader's own plan, on this device, for the start page. */
function SavePlan({ view }: { view: MeetingView }) {
  const t = useT();
  const [name, setName] = useState(view.title);
  const [saved, setSaved] = useState<string | null>(null);
  return (
    <details className="save-plan">
      <summary>{t('lead.savePlan')}</summary>
      <form
        className="add-phase-form"
        onSubmit={(e) => {
          e.preventDefault();
          const plan = savePlan(name.trim() || t('template.custom'), phasesOf(view.phases));
          setSaved(plan.name);
        }}
      >
        <InlineField label={t('lead.planName')}>
          {(id) => (
            <input
              id={id}
              value={name}
              maxLength={PLAN_NAME_MAX}
              onChange={(e) => {
                setName(e.target.value);
                setSaved(null);
              }}
            />
          )}
        </InlineField>
        <button type="submit" className="button-small">
          {t('common.save')}
        </button>
      </form>
      <p className="hint" role="status">
        {saved ? t('lead.planSaved', { name: saved }) : t('lead.savePlanHint')}
      </p>
    </details>
  );
}
