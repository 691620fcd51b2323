import type { MeetingView } from '../../../../shared/meeting/view';
import { Link } from '../../components/Link';
import { useT, type MessageKey } from '../../i18n';
import { paths } from '../../router';

/** Case phases as a newcomer meets them, in order (the names are the phases' own). */
const FIRST_PHASES: [MessageKey, MessageKey][] = [
  ['phase.case-choice', 'first.phase.caseChoice'],
  ['phase.presentation', 'first.phase.presentation'],
  ['phase.questions', 'first.phase.questions'],
  ['phase.speculation', 'first.phase.speculation'],
  ['phase.return', 'first.phase.return'],
];

/**
 * One screen of ground rules, once per meeting and device, before the first note. On a device
 * that has never been in a meeting it is the first-time card instead, shown before the lobby:
 * the phases too, and "Got it", once per device (then it also counts for this meeting).
 */
export function GroundRules({
  anonymity,
  onAccept,
  firstTime = false,
}: {
  anonymity: MeetingView['anonymity'];
  onAccept: () => void;
  firstTime?: boolean;
}) {
  const t = useT();
  return (
    <section
      className={`rules${firstTime ? ' rules-first' : ''}`}
      aria-labelledby="rules-title"
      data-testid={firstTime ? 'first-time-card' : 'ground-rules'}
    >
      <h2 id="rules-title">{t(firstTime ? 'first.title' : 'rules.title')}</h2>
      {firstTime && (
        <>
          <p>{t('first.intro')}</p>
          <h3>{t('first.phasesTitle')}</h3>
          <ol className="first-phases">
            {FIRST_PHASES.map(([name, what]) => (
              <li key={name}>
                <strong>{t(name)}</strong> {t(what)}
              </li>
            ))}
          </ol>
          <h3>{t('first.rulesTitle')}</h3>
        </>
      )}
      <ul>
        <li>{t('rules.confidential')}</li>
        <li>{t('rules.noIdentifiers')}</li>
        <li>{t('rules.fantasies')}</li>
        <li>{t('rules.noAdvice')}</li>
        {/* The meeting's own mode, said here once (the page's mode hint waits until after). */}
        <li>{t(anonymity === 'anonymous' ? 'common.anonymousMode' : 'common.namedMode')}</li>
      </ul>
      <button type="button" className="button-primary button-big" onClick={onAccept}>
        {t(firstTime ? 'first.gotIt' : 'rules.ok')}
      </button>
      {firstTime && (
        <p>
          <Link className="button" href={paths.about()}>
            {t('first.more')}
          </Link>
        </p>
      )}
    </section>
  );
}
