import type { BoardNote, BoardSnapshot } from '../connection';
import { useT, type MessageKey } from '../i18n';

const KIND_KEYS: Record<string, MessageKey> = {
  association: 'noteKind.association',
  feeling: 'noteKind.feeling',
  image: 'noteKind.image',
  'patient-view': 'noteKind.patient-view',
  'doctor-view': 'noteKind.doctor-view',
  relationship: 'noteKind.relationship',
  question: 'noteKind.question',
};

/** On the projector, type gets smaller past these many notes so the board stays on one screen. */
const DENSE_FROM = 6;
const DENSER_FROM = 14;

interface BoardViewProps {
  board: BoardSnapshot;
  /** Named meetings only, and never on the projector. */
  showNames?: boolean;
  size?: 'normal' | 'large';
  /** The presenter, in the return phase, may mark notes that resonated. */
  onResonate?: (note: BoardNote, on: boolean) => void;
  /**
   * The presenter's own marks (BOARD-10), from their Socket.IO view: the board carries marks
   * only while the presenter shows them to everyone.
   */
  marked?: ReadonlySet<string>;
}

/** The board as everyone sees it: notes grouped by theme, a shown parking lot apart. No votes, no ranks. */
export function BoardView({ board, showNames = false, size = 'normal', onResonate, marked }: BoardViewProps) {
  const t = useT();
  // The parking lot is here only while a leader shows it to the room (BOARD-9).
  const visible = board.notes;
  const parked = board.parked;
  if (board.notes.length === 0 && parked.length === 0) {
    return (
      <p className={`board-empty board-empty-${size}`} data-testid="board-empty">
        {t('seat.boardEmpty')}
      </p>
    );
  }
  const themed = board.themes
    .map((theme) => ({ theme, notes: visible.filter((n) => n.theme === theme.id) }))
    .filter((g) => g.notes.length > 0);
  const unthemed = visible.filter((n) => !n.theme || !board.themes.some((th) => th.id === n.theme));
  // A full board must still fit a projector's one screen: the more notes, the smaller the type.
  const density =
    size === 'large' && board.notes.length > DENSER_FROM
      ? ' is-denser'
      : size === 'large' && board.notes.length > DENSE_FROM
        ? ' is-dense'
        : '';
  const resonated = (note: BoardNote) => (marked ? marked.has(note.id) : note.resonance > 0);
  const renderNote = (note: BoardNote) => (
    <li
      key={note.id}
      className={`note note-${note.kind}${note.highlight ? ' is-highlight' : ''}`}
      data-testid="board-note"
    >
      <span className="note-kind">{t(KIND_KEYS[note.kind] ?? 'noteKind.association')}</span>
      <p className="note-text">{note.text}</p>
      {showNames && note.author && <span className="note-name">{note.author}</span>}
      {onResonate ? (
        <button
          type="button"
          className={`resonate${resonated(note) ? ' is-on' : ''}`}
          aria-pressed={resonated(note)}
          onClick={() => onResonate(note, !resonated(note))}
        >
          {resonated(note) ? t('presenter.resonated') : t('presenter.markResonated')}
        </button>
      ) : (
        resonated(note) && <span className="note-resonated">{t('presenter.resonated')}</span>
      )}
    </li>
  );
  return (
    <div className={`board board-${size}${density}`} data-testid="board">
      {themed.length > 0 && (
        <div className="board-themes">
          {themed.map(({ theme, notes }) => (
            <section key={theme.id} className="board-group board-theme" data-theme={theme.name}>
              <h3>{theme.name}</h3>
              <ul className="notes">{notes.map(renderNote)}</ul>
            </section>
          ))}
        </div>
      )}
      {unthemed.length > 0 && (
        <section className="board-group">
          <ul className="notes">{unthemed.map(renderNote)}</ul>
        </section>
      )}
      {parked.length > 0 && (
        <section className="board-group board-parked" data-testid="board-parked">
          <h3>{t('board.parked')}</h3>
          <ul className="notes">
            {parked.map((note) => (
              <li key={note.id} className={`note note-${note.kind}`} data-testid="board-parked-note">
                <span className="note-kind">{t(KIND_KEYS[note.kind] ?? 'noteKind.association')}</span>
                <p className="note-text">{note.text}</p>
                {showNames && note.author && <span className="note-name">{note.author}</span>}
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}
