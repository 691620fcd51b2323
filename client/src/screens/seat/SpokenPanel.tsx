import { useEffect, useState } from 'react';
import type { MeetingCommand } from '../../../../shared/meeting/commands';
import type { MeetingView } from '../../../../shared/meeting/view';
import { INTAKE_LABEL_MAX } from '../../../../shared/spoken/state';
import { TurnTime } from '../../components/TurnTime';
import { useConnection } from '../../connection';
import { useT } from '../../i18n';
import { noteNudges } from '../../meeting/nudges';

/**
 * The spoken work on a member's phone (SPEC.md SPEAK): whose turn it is, "I have a case", a
 * raised hand. Every change is a command the server judges; this page only shows the view.
 */
export function SpokenPanel({ view }: { view: MeetingView }) {
  const sp = view.spoken;
  if (!sp) return null;
  return (
    <>
      {sp.round && <RoundBox view={view} />}
      {sp.intake && (sp.intake.open || sp.intake.volunteers.length > 0) && <IntakeBox view={view} />}
      {sp.handsEnabled && view.status === 'running' && view.you.role === 'participant' && (
        <HandBox view={view} />
      )}
    </>
  );
}

function useSend() {
  const connection = useConnection();
  const [busy, setBusy] = useState(false);
  const send = async (command: MeetingCommand) => {
    setBusy(true);
    try {
      return (await connection.command(command)).ok;
    } finally {
      setBusy(false);
    }
  };
  return { send, busy };
}

function RoundBox({ view }: { view: MeetingView }) {
  const t = useT();
  const { send, busy } = useSend();
  const round = view.spoken?.round;
  const yourTurn = round?.yourTurn === true;
  useEffect(() => {
    // A gentle buzz where the browser has one (phones); the alert below speaks to screen readers.
    if (yourTurn && typeof navigator.vibrate === 'function') navigator.vibrate(200);
  }, [yourTurn]);
  if (!round) return null;
  const mine = round.entries?.[round.turn ?? -1];
  return (
    <section className={`panel spoken-round${yourTurn ? ' is-your-turn' : ''}`} aria-label={t('round.title')}>
      {yourTurn ? (
        <div role="alert" data-testid="your-turn">
          <p className="your-turn">{t('round.yourTurn')}</p>
          <p className="hint">{t('round.yourTurnHint')}</p>
        </div>
      ) : (
        <p className="round-speaker" data-testid="round-speaker">
          {t('round.speaker', { name: round.speakerName })}
        </p>
      )}
      {round.nextName !== null && (
        <p className="round-next" data-testid="round-next">
          {t('round.next', { name: round.nextName })}
        </p>
      )}
      {round.turnTimer && <TurnTime timer={round.turnTimer} overtime={false} />}
      {yourTurn && !mine?.passed && (
        <button type="button" disabled={busy} onClick={() => void send({ type: 'round:pass' })}>
          {t('round.pass')}
        </button>
      )}
      {yourTurn && mine?.passed && <p className="hint">{t('round.passed')}</p>}
    </section>
  );
}

function IntakeBox({ view }: { view: MeetingView }) {
  const t = useT();
  const { send, busy } = useSend();
  const [label, setLabel] = useState('');
  const intake = view.spoken?.intake;
  if (!intake) return null;
  const mine = intake.volunteers.some((v) => v.seatId === view.you.seatId);
  const canVolunteer = intake.open && view.you.role === 'participant' && !mine;
  const nudges = noteNudges(label);
  return (
    <section className="panel spoken-intake" aria-labelledby="intake-title">
      <h2 id="intake-title">{t('intake.title')}</h2>
      {intake.volunteers.length === 0 ? (
        <p className="hint">{t('intake.none')}</p>
      ) : (
        <ol className="volunteers" data-testid="volunteers">
          {intake.volunteers.map((v) => (
            <li key={v.id}>
              {v.name}
              {v.label && <span className="volunteer-label"> · {v.label}</span>}
            </li>
          ))}
        </ol>
      )}
      {canVolunteer && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void send({ type: 'intake:volunteer', ...(label.trim() ? { label: label.trim() } : {}) }).then(
              (ok) => ok && setLabel(''),
            );
          }}
        >
          <label>
            {t('intake.labelField')}
            <input value={label} maxLength={INTAKE_LABEL_MAX} onChange={(e) => setLabel(e.target.value)} />
          </label>
          <p className="hint">{t('intake.labelHint')}</p>
          {nudges.map((n) => (
            <p key={n} className="nudge" role="status">
              {t(`seat.nudge.${n}`)}
            </p>
          ))}
          <button type="submit" disabled={busy}>
            {t('intake.volunteer')}
          </button>
        </form>
      )}
      {mine && (
        <>
          <p>{t('intake.volunteered')}</p>
          <button
            type="button"
            className="button-quiet"
            disabled={busy}
            onClick={() => void send({ type: 'intake:withdraw' })}
          >
            {t('intake.withdraw')}
          </button>
        </>
      )}
    </section>
  );
}

function HandBox({ view }: { view: MeetingView }) {
  const t = useT();
  const { send, busy } = useSend();
  const hands = view.spoken?.hands;
  if (!hands) return null;
  const up = hands.yourPlace !== null;
  const roundRuns = view.spoken?.round != null;
  const listening =
    view.you.effectiveRole === 'presenter' &&
    (view.phases[view.currentIndex ?? -1]?.rules.presenterListens ?? false);
  return (
    <section className="panel spoken-hands" aria-labelledby="hands-title">
      <h2 id="hands-title">{t('hands.title')}</h2>
      <p data-testid="hands-count">{t('hands.count', { count: hands.count })}</p>
      {up && <p data-testid="hand-place">{t('hands.yourPlace', { place: hands.yourPlace ?? 0 })}</p>}
      {hands.called && <p role="status">{t('hands.called', { name: hands.called.name })}</p>}
      {roundRuns && !up && <p className="hint">{t('hands.paused')}</p>}
      {up ? (
        <button
          type="button"
          className="button-quiet"
          disabled={busy}
          onClick={() => void send({ type: 'hand:lower' })}
        >
          {t('hands.lower')}
        </button>
      ) : (
        !roundRuns &&
        !listening && (
          <button type="button" disabled={busy} onClick={() => void send({ type: 'hand:raise' })}>
            {t('hands.raise')}
          </button>
        )
      )}
    </section>
  );
}
