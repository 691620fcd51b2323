import { useRef, useState, type FormEvent } from 'react';
import { NOTE_TEXT_MAX } from '../../../../shared/board/limits';
import type { NoteKind } from '../../../../shared/meeting/phases';
import { useT } from '../../i18n';
import { noteNudges, type Nudge } from '../../meeting/nudges';

interface ComposerProps {
  kinds: NoteKind[];
  onSend: (kind: NoteKind, text: string) => void;
}

/** One big input and the lenses this phase allows. */
export function Composer({ kinds, onSend }: ComposerProps) {
  const t = useT();
  const [chosen, setChosen] = useState<NoteKind | null>(null);
  const [text, setText] = useState('');
  const [nudges, setNudges] = useState<Nudge[]>([]);
  const textRef = useRef<HTMLTextAreaElement>(null);
  const kind = chosen && kinds.includes(chosen) ? chosen : (kinds[0] ?? null);
  if (!kind) return null;
  const left = NOTE_TEXT_MAX - text.trim().length;

  function submit(event: FormEvent, checked = false) {
    event.preventDefault();
    const trimmed = text.trim();
    if (!trimmed || !kind || left < 0) return;
    const found = checked ? [] : noteNudges(trimmed);
    if (found.length > 0) return setNudges(found);
    setNudges([]);
    setText('');
    // The note is kept on the device and retried by itself, so the box clears at once.
    onSend(kind, trimmed);
  }

  return (
    <form className="composer" onSubmit={(e) => submit(e)} data-testid="composer">
      {kinds.length > 1 && (
        <fieldset className="kinds">
          <legend>{t('seat.kind')}</legend>
          {kinds.map((k) => (
            <label key={k} className={`kind-chip${k === kind ? ' is-on' : ''}`}>
              <input type="radio" name="kind" value={k} checked={k === kind} onChange={() => setChosen(k)} />
              <span>{t(`noteKind.${k}`)}</span>
            </label>
          ))}
        </fieldset>
      )}
      <label className="field">
        <span className="visually-hidden">{t('seat.noteLabel')}</span>
        <textarea
          ref={textRef}
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            setNudges([]);
          }}
          rows={4}
          maxLength={NOTE_TEXT_MAX * 2}
          placeholder={kind === 'question' ? t('seat.questionPlaceholder') : t('seat.notePlaceholder')}
          aria-label={t('seat.noteLabel')}
          aria-describedby="composer-left"
        />
      </label>
      <p id="composer-left" className={`chars-left${left < 0 ? ' is-over' : ''}`}>
        {t('seat.charsLeft', { n: left })}
      </p>
      {nudges.length > 0 ? (
        // One clear choice: send as written, or go back to the text. No second, silent Send.
        <div className="nudge" role="status" data-testid="nudge">
          {nudges.map((n) => (
            <p key={n}>{t(`seat.nudge.${n}`)}</p>
          ))}
          <div className="nudge-actions">
            <button type="button" className="button-primary button-big" onClick={(e) => submit(e, true)}>
              {t('seat.sendAnyway')}
            </button>
            <button
              type="button"
              className="button-quiet"
              onClick={() => {
                setNudges([]);
                textRef.current?.focus();
              }}
            >
              {t('seat.backToNote')}
            </button>
          </div>
        </div>
      ) : (
        <button type="submit" className="button-primary button-big" disabled={!text.trim() || left < 0}>
          {t('seat.send')}
        </button>
      )}
    </form>
  );
}
