import { useCallback } from 'react';
import { LABEL_RETENTION_MONTHS, type CaseLabelLeaderView } from '../../../../shared/group/followUp';
import { groupApi } from '../../connection/groupApi';
import { useLanguage, useT } from '../../i18n';
import { formatDateTime } from '../../meeting/format';
import { PendingSwitch } from '../lead/PendingSwitch';
import type { GroupPanelProps } from './groupAction';
import { usePolled } from './usePolled';

/**
 * FOLLOW-4..8: the group's case labels on its page. Leaders see who presented, mark a label done,
 * delete or renew it, and decide whether members see the list; members see the labels only when
 * shared, and never who presented (the server leaves it out).
 */
export function CaseLabelsPanel({ groupId, token, leader }: GroupPanelProps) {
  const t = useT();
  const lang = useLanguage();
  const load = useCallback(() => groupApi.labels(groupId, token), [groupId, token]);
  const { result, reload } = usePolled(load);
  const view = result?.ok ? result.value : null;
  if (!view || (!leader && !view.shared)) return null;
  const act = async (call: Promise<unknown>) => {
    await call;
    await reload();
  };
  return (
    <section className="panel" aria-labelledby="labels-title" data-testid="case-labels">
      <h2 id="labels-title">{t('followUp.listTitle')}</h2>
      {leader ? (
        <PendingSwitch
          label={t('followUp.share')}
          on={view.shared}
          set={async (on) => {
            const done = await groupApi.shareLabels(groupId, token, on);
            await reload();
            return done.ok;
          }}
        />
      ) : (
        <p className="hint">{t('followUp.memberHint')}</p>
      )}
      {view.labels.length === 0 ? (
        <p className="hint">{t('followUp.listNone')}</p>
      ) : (
        <ul className="case-label-list">
          {view.labels.map((l) => (
            <li key={l.id} data-testid="case-label">
              <strong>{l.label}</strong>{' '}
              <span className="hint">
                · {formatDateTime(l.caseAt, lang)}
                {l.followUp && ` · ${t('followUp.wantsFollowUp')}`}
              </span>
              {leader && 'expiresAt' in l && (
                <LeaderLine label={l} groupId={groupId} token={token} act={act} />
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function LeaderLine({
  label,
  groupId,
  token,
  act,
}: {
  label: CaseLabelLeaderView;
  groupId: string;
  token: string;
  act: (call: Promise<unknown>) => Promise<void>;
}) {
  const t = useT();
  const lang = useLanguage();
  // FOLLOW-7/8: done and delete both delete the label; renew counts its months again.
  const actions = [
    ['followUp.done', groupApi.labelDone],
    ['followUp.renew', groupApi.renewLabel],
    ['followUp.delete', groupApi.deleteLabel],
  ] as const;
  return (
    <div className="case-label-leader">
      <span className="hint" data-testid="case-label-presenter">
        {t('followUp.presentedBy', { name: label.presenterName ?? t('followUp.guest') })} ·{' '}
        {t('followUp.expires', { when: formatDateTime(label.expiresAt, lang) })}
      </span>
      <span className="row-actions">
        {actions.map(([key, call], i) => (
          <button
            key={key}
            type="button"
            className={i === 0 ? 'button-small' : 'button-small button-quiet'}
            onClick={() => void act(call(groupId, token, label.id))}
          >
            {t(key, { months: LABEL_RETENTION_MONTHS })}
          </button>
        ))}
      </span>
    </div>
  );
}
