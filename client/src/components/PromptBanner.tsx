import type { MeetingView } from '../../../shared/meeting/view';
import { useT } from '../i18n';
import { promptText } from '../meeting/prompts';

/**
 * The leader's push-back prompt (SPEC PROMPT-2), the same on every screen and the projector. A
 * polite live region: a screen reader says it once when it appears, never interrupting.
 */
export function PromptBanner({ view, size = 'normal' }: { view: MeetingView; size?: 'normal' | 'huge' }) {
  const t = useT();
  const text = view.prompt ? promptText(view.prompt, t) : null;
  return (
    <div aria-live="polite" className="prompt-slot">
      {text && (
        <figure className={`prompt prompt-${size}`} data-testid="prompt">
          <figcaption>{t('prompt.label')}</figcaption>
          <blockquote>{text}</blockquote>
        </figure>
      )}
    </div>
  );
}
