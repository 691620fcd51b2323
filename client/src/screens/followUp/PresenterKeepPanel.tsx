import type { MeetingView } from '../../../../shared/meeting/view';
import { useConnection } from '../../connection';
import { followUpApi } from '../../connection/groupApi';
import { useT } from '../../i18n';
import { currentCase, currentPhase } from '../../meeting/viewRules';
import { CaseLabelForm } from './CaseLabelForm';

/**
 * FOLLOW-1..3: in a group's meeting, at the return or the closing of their case, the presenter
 * may say yes, on their own device, to keeping a label of it for the group's list. Their own
 * intake label is offered as a start; nothing is kept until they press the button.
 */
export function PresenterKeepPanel({ view }: { view: MeetingView }) {
  const t = useT();
  const connection = useConnection();
  const kind = currentPhase(view)?.kind;
  if (!view.inGroup || view.status !== 'running' || (kind !== 'return' && kind !== 'closing')) return null;
  const caseIndex = currentCase(view);
  const intake = view.spoken?.intake?.volunteers.find((v) => v.seatId === view.you.seatId)?.label ?? '';
  return (
    <section className="panel case-label" aria-labelledby="case-label-title">
      <h2 id="case-label-title">{t('followUp.keepTitle')}</h2>
      <CaseLabelForm
        key={caseIndex}
        initial={intake}
        submitLabel={t('followUp.keep')}
        testId="keep-label"
        onKeep={(label, followUp) =>
          followUpApi.keep(view.meetingId, connection.token, { caseIndex, label, followUp })
        }
      />
    </section>
  );
}
