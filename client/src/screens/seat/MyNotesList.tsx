import { useState } from 'react';
import type { MyNote, MyNotes } from '../../connection';
import { useT } from '../../i18n';

/** The author's own notes, on this device only, with edit and delete. */
export function MyNotesList({ notes, actions }: { notes: MyNote[]; actions: MyNotes }) {
  const t = useT();
  const [editing, setEditing] = useState<string | null>(null);
  const [draft, setDraft] = useState('');
  const shown = notes.filter((n) => n.status !== 'deleted');
  return (
    <section className="my-notes" aria-labelledby="my-notes-title">
      <h2 id="my-notes-title">{t('seat.myNotes')}</h2>
      {shown.length === 0 && <p className="hint">{t('seat.noMyNotes')}</p>}
      <ul>
        {[...shown].reverse().map((note) => (
          <li key={note.localId} className={`my-note status-${note.status}`} data-testid="my-note">
            <div className="my-note-meta">
              <span className="note-kind">{t(`noteKind.${note.kind}`)}</span>
              <span className="my-note-status">{t(`noteStatus.${note.status}`)}</span>
            </div>
            {editing === note.localId ? (
              <form
                onSubmit={(e) => {
                  e.preventDefault();
                  void actions.edit(note.localId, draft.trim()).then((r) => r.ok && setEditing(null));
                }}
              >
                <textarea
                  value={draft}
                  onChange={(e) => setDraft(e.target.value)}
                  rows={3}
                  aria-label={t('seat.editNote')}
                  // The person just asked to edit: the caret goes to the end of their text.
                  autoFocus
                  onFocus={(e) => e.currentTarget.setSelectionRange(draft.length, draft.length)}
                  onKeyDown={(e) => e.key === 'Escape' && setEditing(null)}
                />
                <div className="row">
                  <button type="submit" className="button-primary" disabled={!draft.trim()}>
                    {t('common.save')}
                  </button>
                  <button type="button" onClick={() => setEditing(null)}>
                    {t('common.cancel')}
                  </button>
                </div>
              </form>
            ) : (
              <>
                <p className="note-text">{note.text}</p>
                <div className="row">
                  {note.status === 'failed' && (
                    <button type="button" onClick={() => void actions.retry(note.localId)}>
                      {t('seat.send')}
                    </button>
                  )}
                  {note.noteId && note.status !== 'hidden' && note.status !== 'removed' && (
                    <button
                      type="button"
                      onClick={() => {
                        setDraft(note.text);
                        setEditing(note.localId);
                      }}
                    >
                      {t('common.edit')}
                    </button>
                  )}
                  <button
                    type="button"
                    className="button-quiet"
                    onClick={() => void actions.remove(note.localId)}
                  >
                    {t('common.delete')}
                  </button>
                </div>
              </>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
