import type { MeetingView } from '../../../shared/meeting/view';
import { useT } from '../i18n';
import { promptText } from '../meeting/prompts';

/**
 * The leader's push-back prompt (SPEC PROMPT-2), the same on every screen and the projector. On
 * phones and laptops a polite live region: a screen reader says it once when it appears.
 */
export function PromptBanner({ view, size = 'normal' }: { view: MeetingView; size?: 'normal' | 'huge' }) {
  const t = useT();
  const text = view.prompt ? promptText(view.prompt, t) : null;
  const prompt = text && (
    <figure className={`prompt prompt-${size}`} data-testid="prompt">
      <figcaption>{t('prompt.label')}</figcaption>
      <blockquote>{text}</blockquote>
    </figure>
  );
  // The projector's column has gaps between its parts: no empty slot there when no prompt is up
  // (the room's screen is read from afar, not by a screen reader).
  if (size === 'huge') return prompt || null;
  return (
    <div aria-live="polite" className="prompt-slot">
      {prompt}
    </div>
  );
}
