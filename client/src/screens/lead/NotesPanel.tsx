import type { MeetingView } from '../../../../shared/meeting/view';
import { useBoard, useConnection, useLeaderNotes } from '../../connection';
import { useT, type MessageKey } from '../../i18n';
import { currentCase } from '../../meeting/viewRules';

const kindKey = (kind: string) => `noteKind.${kind}` as MessageKey;

/** The board of the current case as leaders see it: released notes, the screening queue, hidden notes. */
export function NotesPanel({ view }: { view: MeetingView }) {
  const t = useT();
  const connection = useConnection();
  const caseIndex = currentCase(view);
  const board = useBoard(caseIndex, view.status === 'running');
  const leaderNotes = useLeaderNotes();
  const held = leaderNotes?.caseIndex === caseIndex ? leaderNotes : null;
  const moderate = (noteId: string, action: 'approve' | 'hide' | 'show') =>
    void connection.request('note:moderate', { noteId, action });

  return (
    <section className="panel" aria-labelledby="notes-title">
      <h2 id="notes-title">{t('lead.notes')}</h2>
      {held && held.waitingCount > 0 && (
        <p>
          {held.waitingCount === 1
            ? t('lead.waitingNoteOne')
            : t('lead.waitingNotes', { n: held.waitingCount })}{' '}
          <button
            type="button"
            className="button-small"
            onClick={() => void connection.request('board:release', {})}
          >
            {t('lead.release')}
          </button>
        </p>
      )}
      {held && held.screening.length > 0 && (
        <>
          <h3>{t('lead.screening')}</h3>
          <ul className="lead-notes">
            {held.screening.map((n) => (
              <li key={n.noteId}>
                <span className="note-kind">{t(kindKey(n.kind))}</span>
                <p className="note-text">{n.text}</p>
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
              </li>
            ))}
          </ul>
        </>
      )}
      <h3>{t('seat.board')}</h3>
      {board.notes.length === 0 ? (
        <p className="hint">{t('seat.boardEmpty')}</p>
      ) : (
        <ul className="lead-notes">
          {board.notes.map((n) => (
            <li key={n.id}>
              <span className="note-kind">{t(kindKey(n.kind))}</span>
              <p className="note-text">{n.text}</p>
              {view.anonymity === 'named' && n.author && <span className="note-name">{n.author}</span>}
              <button type="button" className="button-small" onClick={() => moderate(n.id, 'hide')}>
                {t('lead.hide')}
              </button>
            </li>
          ))}
        </ul>
      )}
      {held && held.hidden.length > 0 && (
        <>
          <h3>{t('lead.hidden')}</h3>
          <ul className="lead-notes is-hidden">
            {held.hidden.map((n) => (
              <li key={n.noteId}>
                <span className="note-kind">{t(kindKey(n.kind))}</span>
                <p className="note-text">{n.text}</p>
                <button type="button" className="button-small" onClick={() => moderate(n.noteId, 'show')}>
                  {t('lead.show')}
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
