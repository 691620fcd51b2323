import { useState } from 'react';
import type { MeetingView } from '../../../../shared/meeting/view';
import { MEETING_FORMATS, ROUND_ORDERS, type RoundOrder } from '../../../../shared/spoken/state';
import { TurnTime } from '../../components/TurnTime';
import { useT } from '../../i18n';
import { formatCountdown } from '../../meeting/format';
import type { RunCommand } from './useCommand';

/**
 * The leaders' controls for the spoken work (SPEC.md SPEAK): the meeting's format, case intake,
 * raised hands, rounds and the seating order. Each button is one command; the view answers.
 */
export function SpokenConsole({ view, run }: { view: MeetingView; run: RunCommand }) {
  const t = useT();
  const sp = view.spoken;
  if (!sp) return null;
  return (
    <section className="panel spoken-console" aria-labelledby="spoken-title">
      <h2 id="spoken-title">{t('spoken.title')}</h2>
      <label className="inline-label">
        {t('format.label')}{' '}
        <select
          value={sp.format}
          data-testid="format"
          onChange={(e) =>
            void run({
              type: 'meeting:setFormat',
              format: e.target.value as (typeof MEETING_FORMATS)[number],
            })
          }
        >
          {MEETING_FORMATS.map((f) => (
            <option key={f} value={f}>
              {t(`format.${f}`)}
            </option>
          ))}
        </select>
      </label>
      <IntakeControls view={view} run={run} />
      {view.status === 'running' && <RoundControls view={view} run={run} />}
      {view.status === 'running' && <HandControls view={view} run={run} />}
    </section>
  );
}

function IntakeControls({ view, run }: { view: MeetingView; run: RunCommand }) {
  const t = useT();
  const [name, setName] = useState('');
  const intake = view.spoken?.intake;
  if (!intake) return null;
  const caseIndex = Math.max(
    0,
    view.cases.findIndex((c) => c.presenterSeatId === null),
  );
  const queued = new Set(intake.volunteers.map((v) => v.seatId));
  const candidates = (view.seats ?? []).filter((s) => s.role === 'participant' && !queued.has(s.id));
  return (
    <div className="spoken-block" data-testid="intake-controls">
      <h3>{t('intake.title')}</h3>
      <button
        type="button"
        className="button-small"
        onClick={() => void run({ type: intake.open ? 'intake:close' : 'intake:open' })}
      >
        {t(intake.open ? 'intake.close' : 'intake.open')}
      </button>
      <label className="switch-label">
        <input
          type="checkbox"
          checked={intake.labelsShown}
          onChange={(e) => void run({ type: 'intake:showLabels', shown: e.target.checked })}
        />{' '}
        {t('intake.showLabels')}
      </label>
      {view.spoken?.presenterNames?.map(
        (name, i) =>
          name && (
            <p key={i} data-testid="presenter-no-device">
              {t('role.presenter')}: {t('intake.noDevice', { name })}
            </p>
          ),
      )}
      {intake.volunteers.length === 0 ? (
        <p className="hint">{t('intake.none')}</p>
      ) : (
        <ol className="volunteers">
          {intake.volunteers.map((v) => (
            <li key={v.id}>
              <span>
                {v.seatId === null ? t('intake.noDevice', { name: v.name }) : v.name}
                {v.label && <span className="volunteer-label"> · {v.label}</span>}
              </span>{' '}
              <button
                type="button"
                className="button-small"
                onClick={() => void run({ type: 'intake:pick', volunteerId: v.id, caseIndex })}
              >
                {t('intake.pick')}
              </button>{' '}
              <button
                type="button"
                className="button-small button-quiet"
                onClick={() => void run({ type: 'intake:remove', volunteerId: v.id })}
              >
                {t('intake.remove')}
              </button>
            </li>
          ))}
        </ol>
      )}
      {candidates.length > 0 && (
        <label className="inline-label">
          {t('intake.addSeat')}{' '}
          <select
            value=""
            onChange={(e) => e.target.value && void run({ type: 'intake:add', seatId: e.target.value })}
          >
            <option value="">—</option>
            {candidates.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
      )}
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (name.trim())
            void run({ type: 'intake:add', name: name.trim() }).then((ok) => ok && setName(''));
        }}
      >
        <label>
          {t('intake.addName')}{' '}
          <input value={name} maxLength={60} onChange={(e) => setName(e.target.value)} />
        </label>{' '}
        <button type="submit" className="button-small">
          {t('intake.add')}
        </button>
      </form>
    </div>
  );
}

function HandControls({ view, run }: { view: MeetingView; run: RunCommand }) {
  const t = useT();
  const sp = view.spoken;
  if (!sp) return null;
  const hands = sp.hands;
  return (
    <div className="spoken-block" data-testid="hand-controls">
      <h3>{t('hands.title')}</h3>
      <label className="switch-label">
        <input
          type="checkbox"
          checked={sp.handsEnabled}
          onChange={(e) => void run({ type: 'hands:enable', enabled: e.target.checked })}
        />{' '}
        {t('hands.enable')}
      </label>
      {hands?.called && <p role="status">{t('hands.called', { name: hands.called.name })}</p>}
      {(hands?.queue?.length ?? 0) === 0 ? (
        sp.handsEnabled && <p className="hint">{t('hands.empty')}</p>
      ) : (
        <>
          <ol className="hand-queue" data-testid="hand-queue">
            {hands?.queue?.map((h) => (
              <li key={h.seatId}>{h.name}</li>
            ))}
          </ol>
          <button type="button" className="button-small" onClick={() => void run({ type: 'hands:next' })}>
            {t('hands.next')}
          </button>{' '}
          <button
            type="button"
            className="button-small button-quiet"
            onClick={() => void run({ type: 'hands:clear' })}
          >
            {t('hands.clear')}
          </button>
        </>
      )}
    </div>
  );
}

function RoundControls({ view, run }: { view: MeetingView; run: RunCommand }) {
  const t = useT();
  const [order, setOrder] = useState<RoundOrder>('seating');
  const [seconds, setSeconds] = useState('');
  // The speaker's own time follows the phase timer's visibility until the leader says otherwise.
  const [speakerSees, setSpeakerSees] = useState(view.timerVisibility === 'everyone');
  const [names, setNames] = useState('');
  const round = view.spoken?.round;
  const phase = view.phases[view.currentIndex ?? -1];
  const seating = seatingOrder(view);
  // Observers and leaders speak in a round only when a leader adds them (ROUND-1).
  const inRound = new Set(round?.entries?.map((e) => e.seatId));
  const extras = (view.seats ?? []).filter((s) => !inRound.has(s.id));

  if (round) {
    return (
      <div className="spoken-block" data-testid="round-controls">
        <h3>{t('round.title')}</h3>
        <ol className="round-entries">
          {round.entries?.map((e, i) => (
            <li
              key={e.key}
              className={i === round.turn ? 'is-speaking' : undefined}
              aria-current={i === round.turn}
            >
              {e.name} {e.passed && <span className="hint">({t('round.passed')})</span>}
            </li>
          ))}
        </ol>
        <p data-testid="round-speaker">{t('round.speaker', { name: round.speakerName })}</p>
        {round.nextName !== null && <p>{t('round.next', { name: round.nextName })}</p>}
        {round.turnTimer && <TurnTime timer={round.turnTimer} overtime />}
        {round.totalMs != null && phase && (
          <p className="hint" data-testid="round-total">
            {t('round.total', {
              total: formatCountdown(round.totalMs),
              planned: formatCountdown(phase.plannedMs),
            })}
          </p>
        )}
        {extras.length > 0 && (
          <label className="inline-label">
            {t('round.addSeat')}{' '}
            <select
              value=""
              onChange={(e) => e.target.value && void run({ type: 'round:add', seatId: e.target.value })}
            >
              <option value="">—</option>
              {extras.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name || t(`role.${s.role}`)}
                </option>
              ))}
            </select>
          </label>
        )}
        <button type="button" onClick={() => void run({ type: 'round:next' })}>
          {t('round.moveOn')}
        </button>{' '}
        <button type="button" className="button-quiet" onClick={() => void run({ type: 'round:end' })}>
          {t('round.end')}
        </button>
      </div>
    );
  }
  const offerOpening = view.spoken?.format !== 'room' && phase?.kind === 'opening';
  return (
    <div className="spoken-block" data-testid="round-controls">
      <h3>{t('round.title')}</h3>
      <label className="inline-label">
        {t('round.order')}{' '}
        <select
          value={order}
          data-testid="round-order"
          onChange={(e) => setOrder(e.target.value as RoundOrder)}
        >
          {ROUND_ORDERS.map((o) => (
            <option key={o} value={o}>
              {t(`round.order.${o}`)}
            </option>
          ))}
        </select>
      </label>
      <label className="inline-label">
        {t('round.turnSeconds')}{' '}
        <input
          type="number"
          min={10}
          max={600}
          inputMode="numeric"
          data-testid="round-seconds"
          value={seconds}
          onChange={(e) => setSeconds(e.target.value)}
        />
      </label>
      <label className="switch-label">
        <input type="checkbox" checked={speakerSees} onChange={(e) => setSpeakerSees(e.target.checked)} />{' '}
        {t('round.speakerSees')}
      </label>
      <label className="inline-label">
        {t('round.addName')} <input value={names} maxLength={60} onChange={(e) => setNames(e.target.value)} />
      </label>
      <button
        type="button"
        data-testid="round-start"
        onClick={() => {
          const s = Number.parseInt(seconds, 10);
          void run({
            type: 'round:start',
            order,
            turnSeconds: Number.isFinite(s) ? Math.min(600, Math.max(10, s)) : null,
            turnTimeFor: speakerSees ? 'speaker' : 'leaders',
            addSeatIds: [],
            addNames: names.trim() ? [names.trim()] : [],
          }).then((ok) => ok && setNames(''));
        }}
      >
        {t(offerOpening ? 'round.startOpening' : 'round.start')}
      </button>
      {seating.length > 1 && (
        <details className="seating">
          <summary>{t('round.seating')}</summary>
          <ol>
            {seating.map((s, i) => (
              <li key={s.id}>
                {s.name}{' '}
                {i > 0 && (
                  <button
                    type="button"
                    className="button-small button-quiet"
                    aria-label={t('round.up', { name: s.name })}
                    onClick={() => {
                      const ids = seating.map((x) => x.id);
                      [ids[i - 1], ids[i]] = [ids[i] ?? '', ids[i - 1] ?? ''];
                      void run({ type: 'seating:set', seatIds: ids });
                    }}
                  >
                    ↑
                  </button>
                )}
              </li>
            ))}
          </ol>
        </details>
      )}
    </div>
  );
}

/** Participants in the leaders' seating order, then everyone else by arrival (ROUND-2). */
function seatingOrder(view: MeetingView) {
  const participants = (view.seats ?? []).filter((s) => s.role === 'participant');
  const arranged = view.spoken?.seating ?? [];
  const rank = (id: string) => {
    const i = arranged.indexOf(id);
    return i < 0 ? arranged.length : i;
  };
  return participants
    .map((s, arrival) => ({ s, arrival }))
    .sort((a, b) => rank(a.s.id) - rank(b.s.id) || a.arrival - b.arrival)
    .map((x) => x.s);
}
