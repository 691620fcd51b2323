import { useState } from 'react';
import { PROXY_NAME_MAX } from '../../../../shared/board/limits';
import type { ParkingLotVisibility } from '../../../../shared/meeting/state';
import type { MeetingView } from '../../../../shared/meeting/view';
import { useNewNotesAnnouncement } from '../../a11y/useAnnouncements';
import { useConnection, useLeaderNotes } from '../../connection';
import { useLeaderBoard } from '../../connection/leaderBoard';
import { InlineField } from '../../components/InlineField';
import { useT, type MessageKey } from '../../i18n';
import { currentCase, kindsICanPost } from '../../meeting/viewRules';
import { Composer } from '../seat/Composer';
import { MyNotesList } from '../seat/MyNotesList';
import { useMyNotes } from '../seat/useMyNotes';
import { LostChanges } from './LostChanges';
import { ThemeBoard } from './ThemeBoard';
import type { RunCommand } from './useCommand';

const kindKey = (kind: string) => `noteKind.${kind}` as MessageKey;

/**
 * The current case's board as leaders run it: open or close it, how notes are released, the
 * screening queue, themes built by dragging notes (or with each note's "place" menu, for the
 * keyboard), highlight, the parking lot, hide and show, and a note of one's own.
 */
export function BoardPanel({ view, run }: { view: MeetingView; run: RunCommand }) {
  const t = useT();
  const connection = useConnection();
  const caseIndex = currentCase(view);
  const { board, editor, lost, dismissLost } = useLeaderBoard(caseIndex, view.status === 'running');
  const leaderNotes = useLeaderNotes();
  const held = leaderNotes?.caseIndex === caseIndex ? leaderNotes : null;
  useNewNotesAnnouncement(board);
  const moderate = (noteId: string, action: 'approve' | 'hide' | 'show' | 'park' | 'unpark' | 'remove') =>
    void connection.request('note:moderate', { noteId, action });
  // For good (a patient identifier that slipped in): asked once, since nothing can bring it back.
  const remove = (noteId: string) => {
    if (window.confirm(t('lead.removeNoteConfirm'))) moderate(noteId, 'remove');
  };
  // Coarse on purpose (REL-5): no count, and it changes at most every 30 s.
  const waiting = held?.waiting ?? false;
  const parkingLot = view.cases[caseIndex]?.parkingLot ?? 'leaders';
  // BOARD-9: showing the parking lot puts advice in front of the presenter; asked once.
  const setParkingLot = (next: ParkingLotVisibility) => {
    if (next === 'room' && !window.confirm(t('lead.parkingRoomConfirm'))) return;
    void run({ type: 'case:setParkingLot', caseIndex, parkingLot: next });
  };

  return (
    <section className="panel board-panel" aria-labelledby="board-title" data-testid="board-panel">
      <h2 id="board-title">
        {t('lead.board')}
        {view.cases.length > 1 && <small> · {t('phase.caseN', { n: caseIndex + 1 })}</small>}
      </h2>
      <div className="board-controls">
        <label className="switch">
          <input
            type="checkbox"
            role="switch"
            checked={view.boardOpen}
            onChange={(e) => void run({ type: 'settings:update', boardOpen: e.target.checked })}
          />
          <span>{t('lead.boardOpen')}</span>
        </label>
        <InlineField label={t('start.release')}>
          {(id) => (
            <select
              id={id}
              value={view.release}
              onChange={(e) =>
                void run({ type: 'settings:update', release: e.target.value as MeetingView['release'] })
              }
            >
              <option value="batch">{t('start.release.batch')}</option>
              <option value="screening">{t('start.release.screening')}</option>
            </select>
          )}
        </InlineField>
        <InlineField label={t('lead.parkingLot')}>
          {(id) => (
            <select
              id={id}
              value={parkingLot}
              data-testid="parking-lot-setting"
              aria-describedby={parkingLot === 'room' ? 'parking-room-warning' : undefined}
              onChange={(e) => setParkingLot(e.target.value as ParkingLotVisibility)}
            >
              <option value="leaders">{t('lead.parkingLot.leaders')}</option>
              <option value="export">{t('lead.parkingLot.export')}</option>
              <option value="room">{t('lead.parkingLot.room')}</option>
            </select>
          )}
        </InlineField>
        {parkingLot === 'room' && (
          <p className="hint warning" id="parking-room-warning" data-testid="parking-room-warning">
            {t('lead.parkingRoomWarning')}
          </p>
        )}
        {view.cases[caseIndex]?.resonanceShown && (
          // BOARD-10: the presenter chose to show their marks; a leader may take them back off.
          <p className="hint" data-testid="resonance-shown">
            {t('lead.resonanceShown')}{' '}
            <button
              type="button"
              className="button-small"
              onClick={() => void run({ type: 'case:showResonance', caseIndex, on: false })}
            >
              {t('lead.resonanceHide')}
            </button>
          </p>
        )}
        <p className="release-row" data-testid="waiting">
          <span>{waiting ? t('lead.notesWaiting') : t('lead.noneWaiting')}</span>
          <button
            type="button"
            className="button-small"
            // Not tied to the flag, which lags by up to 30 s; fewer than three stay waiting (REL-4).
            disabled={view.status !== 'running'}
            onClick={() => void connection.request('board:release', {})}
          >
            {t('lead.release')}
          </button>
        </p>
      </div>

      {held && held.questions.length > 0 && (
        // BOARD-11: questions reach the leaders in batches; the presenter sees only what is passed on.
        <div className="questions-held" data-testid="questions-held">
          <h3>{t('lead.questions')}</h3>
          <p className="hint">{t('lead.questionsHint')}</p>
          {held.questions.some((q) => !q.passed) && (
            <button
              type="button"
              className="button-small"
              onClick={() => void connection.request('question:pass', {})}
            >
              {t('lead.passAll')}
            </button>
          )}
          <ul className="lead-notes">
            {held.questions.map((q) => (
              <li key={q.noteId} data-testid="held-question">
                <p className="note-text">{q.text}</p>
                <div className="row">
                  {q.passed ? (
                    <span className="note-passed">{t('lead.passed')}</span>
                  ) : (
                    <button
                      type="button"
                      className="button-small button-primary"
                      onClick={() => void connection.request('question:pass', { noteId: q.noteId })}
                    >
                      {t('lead.pass')}
                    </button>
                  )}
                  <button
                    type="button"
                    className="button-small button-quiet"
                    onClick={() => remove(q.noteId)}
                  >
                    {t('lead.removeNote')}
                  </button>
                </div>
              </li>
            ))}
          </ul>
        </div>
      )}

      {held && held.screening.length > 0 && (
        <div className="screening" data-testid="screening">
          <h3>{t('lead.screening')}</h3>
          <ul className="lead-notes">
            {held.screening.map((n) => (
              <li key={n.noteId}>
                <span className="note-kind">{t(kindKey(n.kind))}</span>
                <p className="note-text">{n.text}</p>
                <div className="row">
                  <button
                    type="button"
                    className="button-small button-primary"
                    onClick={() => moderate(n.noteId, 'approve')}
                  >
                    {t('lead.approve')}
                  </button>
                  <button type="button" className="button-small" onClick={() => moderate(n.noteId, 'hide')}>
                    {t('lead.hide')}
                  </button>
                  <button
                    type="button"
                    className="button-small button-quiet"
                    onClick={() => remove(n.noteId)}
                  >
                    {t('lead.removeNote')}
                  </button>
                </div>
              </li>
            ))}
          </ul>
        </div>
      )}

      <LostChanges lost={lost} onDismiss={dismissLost} />
      <ThemeBoard
        board={board}
        parked={held?.parked ?? []}
        marked={new Set(held?.resonance ?? [])}
        editor={editor}
        named={view.anonymity === 'named'}
        onHide={(noteId) => moderate(noteId, 'hide')}
        onPark={(noteId) => moderate(noteId, 'park')}
        onUnpark={(noteId) => moderate(noteId, 'unpark')}
      />

      {held && held.hidden.length > 0 && (
        <div className="hidden-notes">
          <h3>{t('lead.hidden')}</h3>
          <ul className="lead-notes is-hidden">
            {held.hidden.map((n) => (
              <li key={n.noteId}>
                <span className="note-kind">{t(kindKey(n.kind))}</span>
                <p className="note-text">{n.text}</p>
                <div className="row">
                  <button type="button" className="button-small" onClick={() => moderate(n.noteId, 'show')}>
                    {t('lead.show')}
                  </button>
                  <button
                    type="button"
                    className="button-small button-quiet"
                    onClick={() => remove(n.noteId)}
                  >
                    {t('lead.removeNote')}
                  </button>
                </div>
              </li>
            ))}
          </ul>
        </div>
      )}
      <OwnNote view={view} caseIndex={caseIndex} />
    </section>
  );
}

/**
 * Leaders post their own notes like members do: through the server, with no author on the board.
 * The same box types a note for a member without a device (SPEC PROXY-n): in a named meeting it
 * asks for whom, and the note carries that name; an anonymous meeting sends no name at all.
 */
function OwnNote({ view, caseIndex }: { view: MeetingView; caseIndex: number }) {
  const t = useT();
  const kinds = kindsICanPost(view);
  const { notes, actions } = useMyNotes();
  const [forName, setForName] = useState('');
  const mine = notes.filter((n) => n.caseIndex === caseIndex);
  if (kinds.length === 0 && mine.length === 0) return null;
  const named = view.anonymity === 'named';
  const onBehalfOf = named && forName.trim() ? forName.trim() : undefined;
  return (
    <details className="own-note" data-testid="own-note">
      <summary>{t('proxy.summary')}</summary>
      <p className="hint">{t(named ? 'proxy.hintNamed' : 'proxy.hintAnonymous')}</p>
      {kinds.length > 0 && named && (
        <label className="field">
          <span>{t('proxy.forWhom')}</span>
          <input value={forName} maxLength={PROXY_NAME_MAX} onChange={(e) => setForName(e.target.value)} />
        </label>
      )}
      {kinds.length > 0 && (
        <Composer
          kinds={kinds}
          onSend={(kind, text) => void actions.add(kind, text, caseIndex, onBehalfOf)}
        />
      )}
      {mine.length > 0 && <MyNotesList notes={mine} actions={actions} />}
    </details>
  );
}
