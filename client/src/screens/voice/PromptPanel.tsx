import { useState, type FormEvent } from 'react';
import { PROMPT_TEXT_MAX } from '../../../../shared/meeting/promptIds';
import type { PromptRef } from '../../../../shared/meeting/promptSchema';
import type { MeetingView } from '../../../../shared/meeting/view';
import { PromptBanner } from '../../components/PromptBanner';
import { useT } from '../../i18n';
import { SHIPPED_PROMPTS, promptText } from '../../meeting/prompts';
import { canShowPromptNow } from '../../meeting/viewRules';
import type { RunCommand } from '../lead/useCommand';

function same(a: PromptRef | null | undefined, b: PromptRef): boolean {
  if (!a || a.kind !== b.kind) return false;
  return a.kind === 'shipped' ? b.kind === 'shipped' && a.id === b.id : b.kind === 'own' && a.text === b.text;
}

/**
 * The leaders' prompts (SPEC PROMPT-n): the shipped ones and their own for this meeting, one on
 * every screen at a time, during push-back. Own prompts can be written ahead, in the lobby.
 */
export function PromptPanel({ view, run }: { view: MeetingView; run: RunCommand }) {
  const t = useT();
  const [draft, setDraft] = useState('');
  const pushBack = canShowPromptNow(view);
  const own = view.ownPrompts ?? [];
  const left = PROMPT_TEXT_MAX - draft.trim().length;

  async function keep(event: FormEvent, show: boolean) {
    event.preventDefault();
    const text = draft.trim();
    if (!text || left < 0) return;
    const done = show
      ? await run({ type: 'prompt:show', prompt: { kind: 'own', text } })
      : await run({ type: 'prompt:save', text });
    if (done) setDraft('');
  }

  const choice = (prompt: PromptRef, label: string, extra?: React.ReactNode) => {
    const on = same(view.prompt, prompt);
    return (
      <li key={prompt.kind === 'own' ? `own:${prompt.text}` : prompt.id} className={on ? 'is-on' : undefined}>
        <span>{label}</span>
        <span className="prompt-actions">
          <button
            type="button"
            className="button-small"
            disabled={!pushBack || on}
            aria-pressed={on}
            onClick={() => void run({ type: 'prompt:show', prompt })}
          >
            {on ? t('prompt.onScreens') : t('prompt.show')}
          </button>
          {extra}
        </span>
      </li>
    );
  };

  return (
    <section
      className="panel prompt-panel"
      aria-labelledby="prompt-title"
      data-testid="prompt-panel"
      data-tour="prompts"
    >
      <h2 id="prompt-title">{t('prompt.title')}</h2>
      <p className="hint">{t(pushBack ? 'prompt.hint' : 'prompt.onlyPushBack')}</p>
      {view.prompt && (
        <div className="prompt-current">
          <PromptBanner view={view} />
          <button type="button" className="button-primary" onClick={() => void run({ type: 'prompt:clear' })}>
            {t('prompt.clear')}
          </button>
        </div>
      )}
      <details open={pushBack}>
        <summary>{t('prompt.shipped')}</summary>
        <ul className="prompt-list" data-testid="shipped-prompts">
          {SHIPPED_PROMPTS.map((id) =>
            choice({ kind: 'shipped', id }, promptText({ kind: 'shipped', id }, t)),
          )}
        </ul>
      </details>
      <h3>{t('prompt.own')}</h3>
      {own.length > 0 && (
        <ul className="prompt-list" data-testid="own-prompts">
          {own.map((text) =>
            choice(
              { kind: 'own', text },
              text,
              <button
                type="button"
                className="button-small button-quiet"
                onClick={() => void run({ type: 'prompt:forget', text })}
              >
                {t('prompt.forget')}
              </button>,
            ),
          )}
        </ul>
      )}
      <form className="prompt-form" onSubmit={(e) => void keep(e, pushBack)}>
        <label className="field">
          <span>{t('prompt.write')}</span>
          <input
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            maxLength={PROMPT_TEXT_MAX * 2}
            aria-describedby="prompt-left"
          />
        </label>
        <p id="prompt-left" className={`chars-left${left < 0 ? ' is-over' : ''}`}>
          {t('seat.charsLeft', { n: left })}
        </p>
        <div className="button-row">
          {pushBack && (
            <button type="submit" className="button-primary" disabled={!draft.trim() || left < 0}>
              {t('prompt.showOwn')}
            </button>
          )}
          <button
            type="button"
            className={pushBack ? 'button-quiet' : 'button-primary'}
            disabled={!draft.trim() || left < 0}
            onClick={(e) => void keep(e, false)}
          >
            {t('prompt.keep')}
          </button>
        </div>
      </form>
      <p className="hint">{t('prompt.forgotten')}</p>
    </section>
  );
}
