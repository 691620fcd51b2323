import { useCallback, useEffect, useState } from 'react';
import type { ConsoleFollowUps } from '../../../../shared/group/followUp';
import type { MeetingView } from '../../../../shared/meeting/view';
import { useConnection } from '../../connection';
import { followUpApi } from '../../connection/groupApi';
import { useLanguage, useT } from '../../i18n';
import { formatDateTime } from '../../meeting/format';
import { currentCase, currentPhase } from '../../meeting/viewRules';
import type { RunCommand } from '../lead/useCommand';
import { CaseLabelForm } from './CaseLabelForm';

/**
 * FOLLOW-5: in a group's meeting, the leaders' console lists the group's open follow-ups, with one
 * action that adds a short follow-up phase to the plan (a meeting command, `phase:addFollowUp`).
 * FOLLOW-3: for a presenter without a device, a leader records their spoken yes here.
 */
export function FollowUpConsole({ view, run }: { view: MeetingView; run: RunCommand }) {
  const t = useT();
  const connection = useConnection();
  const [data, setData] = useState<ConsoleFollowUps | null>(null);
  const [presenter, setPresenter] = useState('');
  const inGroup = view.inGroup;
  const reload = useCallback(async () => {
    const r = await followUpApi.forConsole(view.meetingId, connection.token);
    if (r.ok) setData(r.value);
  }, [view.meetingId, connection.token]);
  useEffect(() => {
    if (inGroup) void reload();
  }, [inGroup, reload]);
  if (!inGroup || !data) return null;

  const caseIndex = currentCase(view);
  const kind = currentPhase(view)?.kind;
  const atCaseEnd = view.status === 'running' && (kind === 'return' || kind === 'closing');
  const noPresenterSeat = (view.cases[caseIndex]?.presenterSeatId ?? null) === null;
  const hasFollowUpPhase = view.phases.some((p) => p.kind === 'follow-up');
  return (
    <section className="panel follow-ups" aria-labelledby="follow-ups-title" data-testid="follow-ups">
      <h2 id="follow-ups-title">{t('followUp.openTitle')}</h2>
      <OpenList followUps={data.followUps} />
      {data.followUps.length > 0 && view.status !== 'ended' && (
        <button
          type="button"
          data-testid="add-follow-up"
          disabled={hasFollowUpPhase}
          onClick={() => void run({ type: 'phase:addFollowUp' })}
        >
          {t('followUp.addPhase')}
        </button>
      )}
      {atCaseEnd && noPresenterSeat && (
        <div className="record-label">
          <h3>{t('followUp.recordTitle')}</h3>
          <p className="hint">{t('followUp.recordHint')}</p>
          <CaseLabelForm
            key={caseIndex}
            submitLabel={t('followUp.record')}
            testId="record-label"
            ready={presenter !== ''}
            extra={
              <label>
                {t('followUp.presenter')}
                <select value={presenter} onChange={(e) => setPresenter(e.target.value)}>
                  <option value="">{t('followUp.pick')}</option>
                  {data.roster.map((m) => (
                    <option key={m.id} value={m.id}>
                      {m.name}
                    </option>
                  ))}
                </select>
              </label>
            }
            onKeep={async (label, followUp) => {
              const r = await followUpApi.keep(view.meetingId, connection.token, {
                caseIndex,
                label,
                followUp,
                forMemberId: presenter,
              });
              if (r.ok) await reload();
              return r;
            }}
          />
        </div>
      )}
    </section>
  );
}

/** The open follow-ups, newest first, each with its date and who presented (leaders only). */
function OpenList({ followUps }: { followUps: ConsoleFollowUps['followUps'] }) {
  const t = useT();
  const lang = useLanguage();
  if (followUps.length === 0) return <p className="hint">{t('followUp.none')}</p>;
  const line = (f: ConsoleFollowUps['followUps'][number]) =>
    `${formatDateTime(f.caseAt, lang)} · ${t('followUp.presentedBy', { name: f.presenterName ?? t('followUp.guest') })}`;
  return (
    <ul className="follow-up-list">
      {followUps.map((f) => (
        <li key={f.id} data-testid="follow-up">
          <strong>{f.label}</strong> <span className="hint">· {line(f)}</span>
        </li>
      ))}
    </ul>
  );
}
