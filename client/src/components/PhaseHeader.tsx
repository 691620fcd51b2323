import type { MeetingView } from '../../../shared/meeting/view';
import { useT } from '../i18n';
import { caseLabelNumber, currentPhase } from '../meeting/viewRules';

/** The phase everyone is in, and (optionally) what it asks of them. */
export function PhaseHeader({ view, showAsk = true }: { view: MeetingView; showAsk?: boolean }) {
  const t = useT();
  const phase = currentPhase(view);
  if (view.status === 'lobby' || !phase) {
    return (
      <div className="phase-header">
        <h1 data-testid="phase-name" data-phase="lobby">
          {t('phase.lobby')}
        </h1>
      </div>
    );
  }
  const caseNo = view.cases.length > 1 ? caseLabelNumber(phase) : null;
  return (
    <div className="phase-header">
      {caseNo !== null && <p className="phase-case">{t('phase.caseN', { n: caseNo })}</p>}
      <h1 data-testid="phase-name" data-phase={phase.kind}>
        {t(`phase.${phase.kind}`)}
      </h1>
      {showAsk && <p className="phase-ask">{t(`phaseAsk.${phase.kind}`)}</p>}
    </div>
  );
}
