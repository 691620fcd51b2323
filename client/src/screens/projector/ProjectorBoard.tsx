import { useEffect } from 'react';
import type { BoardNote, BoardSnapshot } from '../../connection';
import { useT, type MessageKey } from '../../i18n';
import { usePages } from './usePages';

const KIND_KEYS: Record<string, MessageKey> = {
  association: 'noteKind.association',
  feeling: 'noteKind.feeling',
  image: 'noteKind.image',
  'patient-view': 'noteKind.patient-view',
  'doctor-view': 'noteKind.doctor-view',
  relationship: 'noteKind.relationship',
  question: 'noteKind.question',
};

interface Group {
  key: string;
  name: string | null;
  notes: BoardNote[];
}

/** Themes in the leaders' order, then the notes in no theme. The parking lot stays off the room's screen. */
function groups(board: BoardSnapshot, unsorted: string): Group[] {
  const shown = board.notes;
  const known = new Set(board.themes.map((th) => th.id));
  const out: Group[] = board.themes
    .map((theme) => ({ key: theme.id, name: theme.name, notes: shown.filter((n) => n.theme === theme.id) }))
    .filter((g) => g.notes.length > 0);
  const loose = shown.filter((n) => !n.theme || !known.has(n.theme));
  // After themes, the rest gets a heading too, or it would read as part of the last theme.
  if (loose.length > 0) out.push({ key: '', name: out.length > 0 ? unsorted : null, notes: loose });
  return out;
}

/**
 * The board for the back of the room: the whole screen below the phase bar, type that never
 * shrinks, pages instead of scrolling. No names and no resonance marks, whatever the meeting's
 * settings: the room's screen does not rank or attribute.
 */
export function ProjectorBoard({ board }: { board: BoardSnapshot }) {
  const t = useT();
  const list = groups(board, t('lead.unsorted'));
  const layoutKey = list
    .map((g) => `${g.key}:${g.name ?? ''}:${g.notes.map((n) => `${n.id}.${n.text.length}.${n.highlight}`)}`)
    .join('|');
  const pages = usePages(layoutKey);
  const { go } = pages;

  useEffect(() => {
    // The projector's own keyboard (or a presenter's clicker) can turn the pages too.
    function onKey(event: KeyboardEvent) {
      if (event.key === 'ArrowRight' || event.key === 'PageDown') go(1);
      if (event.key === 'ArrowLeft' || event.key === 'PageUp') go(-1);
    }
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [go]);

  if (list.length === 0) {
    return (
      <p className="pboard-empty" data-testid="board-empty">
        {t('seat.boardEmpty')}
      </p>
    );
  }
  const onPage = (id: string) => (pages.pageOf.get(id) ?? 0) === pages.page;
  return (
    <div className="pboard" data-testid="board">
      <div className="pboard-window" ref={pages.windowRef}>
        <div
          className="pboard-flow"
          ref={pages.flowRef}
          style={{ transform: `translateX(${-pages.offsetPx}px)` }}
        >
          {list.map((g) => (
            <section
              key={g.key}
              className="pboard-group"
              data-theme={g.key ? (g.name ?? undefined) : undefined}
            >
              {g.name && <h2 className="pboard-theme">{g.name}</h2>}
              <ul className="pboard-notes">
                {g.notes.map((note) => (
                  <li
                    key={note.id}
                    data-note-id={note.id}
                    data-testid="board-note"
                    data-page={pages.pageOf.get(note.id) ?? 0}
                    // Notes on other pages are out of sight; a screen reader skips them too.
                    aria-hidden={onPage(note.id) ? undefined : true}
                    className={`pnote${note.highlight ? ' is-highlight' : ''}`}
                  >
                    <div className="pnote-head">
                      <span className="pnote-kind">{t(KIND_KEYS[note.kind] ?? 'noteKind.association')}</span>
                      {note.highlight && (
                        <span className="pnote-mark" data-testid="highlight-mark">
                          <span aria-hidden="true">★ </span>
                          {t('projector.highlighted')}
                        </span>
                      )}
                    </div>
                    <p className="pnote-text">{note.text}</p>
                  </li>
                ))}
              </ul>
            </section>
          ))}
        </div>
      </div>
      {pages.count > 1 && (
        <p
          className="pboard-pager"
          data-testid="page-indicator"
          data-page={pages.page + 1}
          data-pages={pages.count}
        >
          <span className="pboard-dots" aria-hidden="true">
            {Array.from({ length: pages.count }, (_, i) => (
              <span key={i} className={i === pages.page ? 'is-on' : ''} />
            ))}
          </span>
          {t('projector.page', { page: pages.page + 1, pages: pages.count })}
        </p>
      )}
    </div>
  );
}
