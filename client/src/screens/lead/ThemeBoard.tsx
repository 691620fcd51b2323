import { useState, type DragEvent, type FormEvent, type ReactNode } from 'react';
import { THEME_NAME_MAX } from '../../../../shared/board/schema';
import { InlineField } from '../../components/InlineField';
import type { BoardNote, BoardSnapshot, BoardTheme } from '../../connection';
import type { BoardEditor } from '../../connection/leaderBoard';
import type { LeaderNotesView } from '../../../../shared/board/commands';
import { useT, type MessageKey } from '../../i18n';

const kindKey = (kind: string) => `noteKind.${kind}` as MessageKey;
/** The drag payload type: only notes from this console can be dropped on its columns. */
const NOTE_DRAG_TYPE = 'application/x-balint-note';

/** Where a note sits on the leader's board: in no theme, in a theme, or in the parking lot. */
type Place = { kind: 'none' } | { kind: 'parked' } | { kind: 'theme'; themeId: string };

/** Parking is a server command (BOARD-9); the rest are layout writes to the board document. */
interface Moves {
  editor: BoardEditor;
  onPark: (noteId: string) => void;
}

function placeOf(note: BoardNote, themes: BoardTheme[]): string {
  return note.theme && themes.some((th) => th.id === note.theme) ? `theme:${note.theme}` : 'none';
}

function parsePlace(value: string): Place {
  if (value === 'parked') return { kind: 'parked' };
  if (value.startsWith('theme:')) return { kind: 'theme', themeId: value.slice('theme:'.length) };
  return { kind: 'none' };
}

function move({ editor, onPark }: Moves, noteId: string, place: Place): void {
  switch (place.kind) {
    case 'none':
      return editor.layout(noteId, { theme: null });
    case 'parked':
      return onPark(noteId);
    case 'theme':
      return editor.layout(noteId, { theme: place.themeId });
  }
}

/**
 * The notes of the board in columns: not in a theme, each theme, the parking lot. A note moves
 * by drag and drop, or by its "Place" menu (the keyboard's way); themes are made, renamed and
 * deleted here. Every change is a layout write to the board document (BoardEditor), but for the
 * parking lot: it is the leaders' own (BOARD-9), parked with `note:moderate` and listed from their
 * Socket.IO view, off the public document.
 */
export function ThemeBoard({
  board,
  parked,
  marked,
  editor,
  named,
  onHide,
  onPark,
  onUnpark,
}: {
  board: BoardSnapshot;
  parked: LeaderNotesView['parked'];
  /** The presenter's marks, from the leaders' view (BOARD-10), shown to the room or not. */
  marked: ReadonlySet<string>;
  editor: BoardEditor;
  named: boolean;
  onHide: (noteId: string) => void;
  onPark: (noteId: string) => void;
  onUnpark: (noteId: string) => void;
}) {
  const t = useT();
  const moves: Moves = { editor, onPark };
  const columns: { key: string; place: Place; theme?: BoardTheme; title: string; notes: BoardNote[] }[] = [
    {
      key: 'none',
      place: { kind: 'none' },
      title: t('lead.unsorted'),
      notes: board.notes.filter((n) => placeOf(n, board.themes) === 'none'),
    },
    ...board.themes.map((theme) => ({
      key: `theme:${theme.id}`,
      place: { kind: 'theme', themeId: theme.id } as Place,
      theme,
      title: theme.name,
      notes: board.notes.filter((n) => placeOf(n, board.themes) === `theme:${theme.id}`),
    })),
  ];

  return (
    <>
      <NewThemeForm editor={editor} />
      {board.notes.length === 0 && <p className="hint">{t('seat.boardEmpty')}</p>}
      <div className="theme-grid">
        {columns.map((col) => (
          <ThemeColumn
            key={col.key}
            place={col.place}
            theme={col.theme}
            title={col.title}
            count={col.notes.length}
            editor={editor}
            moves={moves}
          >
            {col.notes.map((note) => (
              <LeaderNote
                key={note.id}
                note={note}
                themes={board.themes}
                editor={editor}
                moves={moves}
                resonated={marked.has(note.id)}
                named={named}
                onHide={() => onHide(note.id)}
              />
            ))}
          </ThemeColumn>
        ))}
        <ThemeColumn
          place={{ kind: 'parked' }}
          title={t('board.parked')}
          count={parked.length}
          editor={editor}
          moves={moves}
        >
          {parked.map((note) => (
            <li
              key={note.noteId}
              className={`lead-card is-parked${note.highlight ? ' is-highlight' : ''}`}
              data-testid="parked-note"
            >
              <div className="lead-card-meta">
                <span className="note-kind">{t(kindKey(note.kind))}</span>
              </div>
              <p className="note-text" id={`note-${note.noteId}`}>
                {note.text}
              </p>
              <div className="lead-card-actions">
                <button
                  type="button"
                  className="button-small"
                  aria-describedby={`note-${note.noteId}`}
                  onClick={() => onUnpark(note.noteId)}
                >
                  {t('lead.unpark')}
                </button>
              </div>
            </li>
          ))}
        </ThemeColumn>
      </div>
    </>
  );
}

function NewThemeForm({ editor }: { editor: BoardEditor }) {
  const t = useT();
  const [name, setName] = useState('');
  function submit(event: FormEvent) {
    event.preventDefault();
    const trimmed = name.trim();
    if (!trimmed) return;
    editor.saveTheme(trimmed);
    setName('');
  }
  return (
    <form className="new-theme" onSubmit={submit}>
      <InlineField label={t('lead.newTheme')}>
        {(id) => (
          <input
            id={id}
            value={name}
            maxLength={THEME_NAME_MAX}
            onChange={(e) => setName(e.target.value)}
            placeholder={t('lead.newThemePlaceholder')}
          />
        )}
      </InlineField>
      <button type="submit" className="button-small" disabled={!name.trim()}>
        {t('lead.addTheme')}
      </button>
    </form>
  );
}

function ThemeColumn({
  place,
  theme,
  title,
  count,
  editor,
  moves,
  children,
}: {
  place: Place;
  theme?: BoardTheme;
  title: string;
  count: number;
  editor: BoardEditor;
  moves: Moves;
  children: ReactNode;
}) {
  const t = useT();
  const [over, setOver] = useState(false);
  const [renaming, setRenaming] = useState<string | null>(null);
  const accepts = (e: DragEvent) => e.dataTransfer.types.includes(NOTE_DRAG_TYPE);
  const headingId = `col-${theme?.id ?? place.kind}`;
  return (
    <section
      className={`theme-col theme-col-${place.kind}${over ? ' is-over' : ''}`}
      aria-labelledby={headingId}
      data-testid="theme-column"
      data-place={place.kind === 'theme' ? place.themeId : place.kind}
      onDragOver={(e) => {
        if (!accepts(e)) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = 'move';
        setOver(true);
      }}
      onDragLeave={(e) => {
        // Moving onto a card inside the column is not leaving it.
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setOver(false);
      }}
      onDrop={(e) => {
        setOver(false);
        const noteId = e.dataTransfer.getData(NOTE_DRAG_TYPE);
        if (!noteId) return;
        e.preventDefault();
        move(moves, noteId, place);
      }}
    >
      {renaming !== null && theme ? (
        <form
          className="rename"
          onSubmit={(e) => {
            e.preventDefault();
            if (renaming.trim()) editor.saveTheme(renaming.trim(), theme.id);
            setRenaming(null);
          }}
        >
          <input
            value={renaming}
            maxLength={THEME_NAME_MAX}
            onChange={(e) => setRenaming(e.target.value)}
            aria-label={t('lead.themeName')}
            autoFocus
            onKeyDown={(e) => e.key === 'Escape' && setRenaming(null)}
          />
          <button type="submit" className="button-small">
            {t('common.save')}
          </button>
        </form>
      ) : (
        <header className="theme-head">
          <h3 id={headingId}>
            {title} <span className="count">({count})</span>
          </h3>
          {theme && (
            <span className="row">
              <button
                type="button"
                className="button-small button-quiet"
                onClick={() => setRenaming(theme.name)}
                aria-label={t('lead.renameTheme', { name: theme.name })}
              >
                {t('lead.rename')}
              </button>
              <button
                type="button"
                className="button-small button-quiet"
                onClick={() => {
                  if (confirm(t('lead.deleteThemeConfirm', { name: theme.name })))
                    editor.deleteTheme(theme.id);
                }}
                aria-label={t('lead.deleteTheme', { name: theme.name })}
              >
                {t('common.delete')}
              </button>
            </span>
          )}
        </header>
      )}
      <ul className="lead-cards">{children}</ul>
    </section>
  );
}

function LeaderNote({
  note,
  themes,
  editor,
  moves,
  resonated,
  named,
  onHide,
}: {
  note: BoardNote;
  themes: BoardTheme[];
  editor: BoardEditor;
  moves: Moves;
  resonated: boolean;
  named: boolean;
  onHide: () => void;
}) {
  const t = useT();
  const textId = `note-${note.id}`;
  return (
    <li
      className={`lead-card${note.highlight ? ' is-highlight' : ''}`}
      draggable
      onDragStart={(e) => {
        e.dataTransfer.setData(NOTE_DRAG_TYPE, note.id);
        e.dataTransfer.effectAllowed = 'move';
      }}
      data-testid="lead-note"
    >
      <div className="lead-card-meta">
        <span className="note-kind">{t(kindKey(note.kind))}</span>
        {resonated && <span className="note-resonated">{t('presenter.resonated')}</span>}
      </div>
      <p className="note-text" id={textId}>
        {note.text}
      </p>
      {named && note.author && <span className="note-name">{note.author}</span>}
      <div className="lead-card-actions">
        <InlineField label={t('lead.place')} className="place">
          {(id) => (
            <select
              id={id}
              value={placeOf(note, themes)}
              onChange={(e) => move(moves, note.id, parsePlace(e.target.value))}
              aria-describedby={textId}
            >
              <option value="none">{t('lead.unsorted')}</option>
              {themes.map((th) => (
                <option key={th.id} value={`theme:${th.id}`}>
                  {th.name}
                </option>
              ))}
              <option value="parked">{t('board.parked')}</option>
            </select>
          )}
        </InlineField>
        <button
          type="button"
          className="button-small"
          aria-pressed={note.highlight}
          aria-describedby={textId}
          onClick={() => editor.layout(note.id, { highlight: !note.highlight })}
        >
          {t('lead.highlight')}
        </button>
        <button
          type="button"
          className="button-small button-quiet"
          aria-describedby={textId}
          onClick={onHide}
        >
          {t('lead.hide')}
        </button>
      </div>
    </li>
  );
}
