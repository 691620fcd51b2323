import { useCallback } from 'react';
import { groupApi } from '../../connection/groupApi';
import { formatDateTime } from '../../meeting/format';
import { useLanguage, useT } from '../../i18n';
import { Link } from '../../components/Link';
import { paths } from '../../router';
import { usePolled } from './usePolled';

/** ATT-6: a member's own confirmed attendance and its totals; nobody else's. */
export function MemberRecord({ groupId, token }: { groupId: string; token: string }) {
  const t = useT();
  const lang = useLanguage();
  const load = useCallback(() => groupApi.myRecord(groupId, token), [groupId, token]);
  const { result } = usePolled(load);
  if (!result?.ok) return null;
  const record = result.value;
  const num = new Intl.NumberFormat(lang).format;
  return (
    <section className="panel" aria-labelledby="record-title" data-testid="member-record">
      <h2 id="record-title">{t('group.att.mine')}</h2>
      {record.sessions.length === 0 ? (
        <p className="hint">{t('group.att.mineNone')}</p>
      ) : (
        <>
          <ul className="plain-list">
            {record.sessions.map((s) => (
              <li key={s.id}>
                {formatDateTime(s.startedAt, lang)} ·{' '}
                {s.attended ? t('group.att.doubles', { n: s.counted }) : t('group.att.absent')}
                {s.place && ` · ${t(`group.att.place.${s.place}`)}`}
              </li>
            ))}
          </ul>
          <p>
            {t('group.att.totals', {
              n: record.totals.doubleSessions,
              room: record.totals.inPerson,
              online: record.totals.online,
              units: num(record.totals.germanUnits),
              hours: num(record.totals.hours),
            })}
          </p>
        </>
      )}
      {record.sessions.some((s) => s.attended) && (
        <p>
          <Link className="button" href={paths.groupCertificate(groupId)}>
            {t('group.cert.open')}
          </Link>
        </p>
      )}
      <p className="hint">{t('group.att.proof')}</p>
    </section>
  );
}
