import type { MeetingView } from '../../../../shared/meeting/view';
import { useT } from '../../i18n';

/** One screen of ground rules, once per meeting and device, before the first note. */
export function GroundRules({
  anonymity,
  onAccept,
}: {
  anonymity: MeetingView['anonymity'];
  onAccept: () => void;
}) {
  const t = useT();
  return (
    <section className="rules" aria-labelledby="rules-title" data-testid="ground-rules">
      <h2 id="rules-title">{t('rules.title')}</h2>
      <ul>
        <li>{t('rules.confidential')}</li>
        <li>{t('rules.noIdentifiers')}</li>
        <li>{t('rules.fantasies')}</li>
        <li>{t('rules.noAdvice')}</li>
        {/* The meeting's own mode, said here once (the page's mode hint waits until after). */}
        <li>{t(anonymity === 'anonymous' ? 'common.anonymousMode' : 'common.namedMode')}</li>
      </ul>
      <button type="button" className="button-primary button-big" onClick={onAccept}>
        {t('rules.ok')}
      </button>
    </section>
  );
}
