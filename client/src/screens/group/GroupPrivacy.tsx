import { useEffect, useState } from 'react';
import { LABEL_RETENTION_MONTHS, type RetentionPeriods } from '../../../../shared/group/followUp';
import { DEBRIEF_RETENTION_MONTHS, GROUP_RETENTION_MONTHS } from '../../../../shared/group/rules';
import { followUpApi } from '../../connection/groupApi';
import { useT } from '../../i18n';
import { GROUP_STORAGE } from '../../../../shared/group/storage';

/** The defaults, shown until (or unless) the server says which periods it has in force. */
const DEFAULT_PERIODS: RetentionPeriods = {
  groupMonths: GROUP_RETENTION_MONTHS,
  debriefMonths: DEBRIEF_RETENTION_MONTHS,
  labelMonths: LABEL_RETENTION_MONTHS,
};

/**
 * GROUP-13: the Privacy page's part on groups, made from the storage declaration, with the
 * retention periods this server has in force (START-5, `GET /api/privacy`).
 */
export function GroupPrivacy() {
  const t = useT();
  const [periods, setPeriods] = useState<RetentionPeriods>(DEFAULT_PERIODS);
  useEffect(() => {
    let live = true;
    void followUpApi.retention().then((r) => {
      if (live && r.ok) setPeriods(r.value);
    });
    return () => {
      live = false;
    };
  }, []);
  return (
    <section data-testid="privacy-groups">
      <h2>{t('privacy.group.title')}</h2>
      <p>{t('privacy.group.intro')}</p>
      <p data-testid="privacy-group-meeting">{t('privacy.group.meeting')}</p>
      <ul className="prose-list">
        {GROUP_STORAGE.map((d) => (
          <li key={d.table} data-table={d.table}>
            <strong>{t(`privacy.group.table.${d.table}`)}</strong>{' '}
            {t(`privacy.group.kept.${d.kept}`, { ...periods })}{' '}
            <code className="hint">
              {d.table}: {d.columns.join(', ')}
            </code>
          </li>
        ))}
      </ul>
      <p data-testid="privacy-group-retention">{t('privacy.group.retention', { ...periods })}</p>
      <p data-testid="privacy-group-keys">{t('privacy.group.keys')}</p>
    </section>
  );
}
