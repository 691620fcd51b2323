import { useEffect, useRef, useState } from 'react';
import { useT, type MessageKey } from '../../i18n';

/** `data-tour` names of the console's regions (LeaderScreen), in the order a meeting uses them. */
type TourTarget = 'side' | 'plan' | 'timer' | 'people' | 'board' | 'prompts';

const STEPS: { target: TourTarget; title: MessageKey; body: MessageKey }[] = [
  { target: 'side', title: 'tour.invite.title', body: 'tour.invite.body' },
  { target: 'plan', title: 'tour.plan.title', body: 'tour.plan.body' },
  { target: 'side', title: 'tour.settings.title', body: 'tour.settings.body' },
  { target: 'timer', title: 'tour.timer.title', body: 'tour.timer.body' },
  { target: 'people', title: 'tour.presenter.title', body: 'tour.presenter.body' },
  { target: 'board', title: 'tour.board.title', body: 'tour.board.body' },
  { target: 'prompts', title: 'tour.prompts.title', body: 'tour.prompts.body' },
  { target: 'timer', title: 'tour.end.title', body: 'tour.end.body' },
];

/**
 * A short guided tour of the console for a leader's first meeting on this device: one card at
 * a time, the region it explains outlined and scrolled into view. Not modal: the console stays
 * usable, and the tour can be skipped at any step and reopened from the console's head.
 */
export function ConsoleTour({ onClose }: { onClose: () => void }) {
  const t = useT();
  const [index, setIndex] = useState(0);
  const heading = useRef<HTMLHeadingElement>(null);
  const step = STEPS[index] ?? STEPS[0];
  const last = index === STEPS.length - 1;

  useEffect(() => {
    if (!step) return;
    // The board region exists only while the meeting runs: the card then explains it alone.
    const region = document.querySelector(`[data-tour="${step.target}"]`);
    region?.classList.add('tour-focus');
    region?.scrollIntoView({ block: 'nearest' });
    heading.current?.focus();
    return () => region?.classList.remove('tour-focus');
  }, [step]);

  if (!step) return null;
  return (
    <section className="tour" role="dialog" aria-labelledby="tour-title" data-testid="console-tour">
      <p className="tour-step">{t('tour.stepOf', { n: index + 1, total: STEPS.length })}</p>
      <h2 id="tour-title" ref={heading} tabIndex={-1}>
        {t(step.title)}
      </h2>
      <p>{t(step.body)}</p>
      <div className="tour-actions">
        {index > 0 && (
          <button type="button" className="button-quiet" onClick={() => setIndex(index - 1)}>
            {t('tour.back')}
          </button>
        )}
        <button
          type="button"
          className="button-primary"
          onClick={() => (last ? onClose() : setIndex(index + 1))}
        >
          {t(last ? 'tour.done' : 'tour.next')}
        </button>
        {!last && (
          <button type="button" className="button-quiet" onClick={onClose}>
            {t('tour.skip')}
          </button>
        )}
      </div>
    </section>
  );
}
