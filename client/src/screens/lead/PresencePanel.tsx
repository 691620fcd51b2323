import { useRef } from 'react';
import type { MeetingCommand } from '../../../../shared/meeting/commands';
import type { MeetingView, SeatView } from '../../../../shared/meeting/view';
import { useT } from '../../i18n';
import { currentCase, peopleHere, peopleTotal } from '../../meeting/viewRules';
import type { RunCommand } from './useCommand';

/** Who is here and in which role; name the presenter, make co-leader, remove; the waiting room. */
export function PresencePanel({ view, run }: { view: MeetingView; run: RunCommand }) {
  const t = useT();
  const seats = (view.seats ?? []).filter((s) => s.role !== 'projector');
  // Display seats are screens, not people: listed apart and never counted as here.
  const screens = (view.seats ?? []).filter((s) => s.role === 'projector');
  const waiting = view.waiting ?? [];
  const caseIndex = currentCase(view);
  const presenterId = view.cases[caseIndex]?.presenterSeatId ?? null;

  return (
    <section className="panel" aria-labelledby="presence-title">
      <h2 id="presence-title">
        {t('lead.presence', { connected: peopleHere(view), total: peopleTotal(view) })}
      </h2>
      {waiting.length > 0 && (
        <div className="waiting-list" data-testid="waiting-list">
          <h3>{t('lead.waitingList')}</h3>
          <ul>
            {waiting.map((w) => (
              <li key={w.id}>
                <span>{w.name}</span>
                <button
                  type="button"
                  className="button-primary button-small"
                  onClick={() => void run({ type: 'seat:admit', seatId: w.id })}
                >
                  {t('lead.admit')}
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
      {presenterId === null && view.status !== 'ended' && <p className="hint">{t('lead.noPresenter')}</p>}
      <ul className="presence" data-testid="presence">
        {seats.map((seat) => (
          <SeatRow key={seat.id} seat={seat} me={seat.id === view.you.seatId} cases={view.cases} run={run} />
        ))}
      </ul>
      {screens.length > 0 && (
        <div className="presence-screens" data-testid="presence-screens">
          <h3>{t('lead.screens')}</h3>
          <ul>
            {screens.map((s) => (
              <li key={s.id}>
                <span className={`conn-dot ${s.connected ? 'is-online' : 'is-offline'}`} aria-hidden="true" />
                {t('lead.projectorSeat')} · {s.connected ? t('lead.connected') : t('lead.disconnected')}
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}

function SeatRow({
  seat,
  me,
  cases,
  run,
}: {
  seat: SeatView;
  me: boolean;
  cases: MeetingView['cases'];
  run: RunCommand;
}) {
  const t = useT();
  const editable = !me && seat.role !== 'leader';
  const more = useRef<HTMLDetailsElement>(null);
  // After an action the disclosure closes, so the list does not fill with open Remove buttons.
  const act = (command: MeetingCommand) => {
    if (more.current) more.current.open = false;
    void run(command);
  };
  return (
    <li className="presence-row">
      <span className={`conn-dot ${seat.connected ? 'is-online' : 'is-offline'}`} aria-hidden="true" />
      <span className="presence-name">
        {seat.name || t(`role.${seat.role}`)}
        {me && <small> ({t('lead.you')})</small>}
      </span>
      <span className={`role-badge role-${seat.effectiveRole}`}>{t(`role.${seat.effectiveRole}`)}</span>
      <span className="visually-hidden">{seat.connected ? t('lead.connected') : t('lead.disconnected')}</span>
      {editable && (
        <details className="presence-more" ref={more}>
          <summary aria-label={t('lead.seatActions', { name: seat.name })}>{t('lead.change')}</summary>
          <span className="presence-actions">
            {seat.role === 'participant' &&
              cases.map((info, i) => {
                const presents = info.presenterSeatId === seat.id;
                const which = cases.length > 1 ? ` · ${t('phase.caseN', { n: i + 1 })}` : '';
                return (
                  <button
                    key={i}
                    type="button"
                    className="button-small"
                    aria-pressed={presents}
                    onClick={() =>
                      act({ type: 'presenter:set', caseIndex: i, seatId: presents ? null : seat.id })
                    }
                  >
                    {presents ? t('lead.unsetPresenter') + which : t('lead.makePresenter', { n: i + 1 })}
                  </button>
                );
              })}
            {seat.role !== 'co-leader' && (
              <button
                type="button"
                className="button-small"
                onClick={() => act({ type: 'seat:setRole', seatId: seat.id, role: 'co-leader' })}
              >
                {t('lead.makeCoLeader')}
              </button>
            )}
            {seat.role !== 'participant' && (
              <button
                type="button"
                className="button-small"
                onClick={() => act({ type: 'seat:setRole', seatId: seat.id, role: 'participant' })}
              >
                {t('lead.makeParticipant')}
              </button>
            )}
            {seat.role === 'participant' && (
              <button
                type="button"
                className="button-small"
                onClick={() => act({ type: 'seat:setRole', seatId: seat.id, role: 'observer' })}
              >
                {t('lead.makeObserver')}
              </button>
            )}
            <button
              type="button"
              className="button-small button-quiet"
              onClick={() => {
                if (confirm(t('lead.removeConfirm', { name: seat.name })))
                  act({ type: 'seat:remove', seatId: seat.id });
              }}
            >
              {t('lead.remove')}
            </button>
          </span>
        </details>
      )}
    </li>
  );
}
