import { useState } from 'react';
import { MAX_ROSTER } from '../../../../shared/group/rules';
import type { GroupLeaderView } from '../../../../shared/group/views';
import { CopyField } from '../../components/CopyField';
import { Link } from '../../components/Link';
import { paths } from '../../router';
import { groupApi } from '../../connection/groupApi';
import { useT } from '../../i18n';
import type { GroupAction } from './groupAction';

/** GROUP-5..9: the member link and code, the requests waiting, the roster. */
export function RosterPanel({ view, act }: { view: GroupLeaderView; act: GroupAction }) {
  const t = useT();
  const id = view.groupId;
  const requests = view.members.filter((m) => m.status === 'pending');
  const roster = view.members.filter((m) => m.status === 'admitted');
  return (
    <section className="panel" aria-labelledby="roster-title">
      <h2 id="roster-title">{t('group.roster.title', { n: roster.length, max: MAX_ROSTER })}</h2>
      <CopyField label={t('group.memberLink')} hint={t('group.memberLinkHint')} value={view.memberLink} />
      <p className="row">
        <span>
          {t('group.memberCode')}: <strong className="input-code">{view.memberCode}</strong>
        </span>
        <button
          type="button"
          className="button-small button-quiet"
          onClick={() => void act((token) => groupApi.rotateCode(id, token))}
        >
          {t('group.roster.rotate')}
        </button>
      </p>
      {requests.length > 0 && (
        <>
          <h3>{t('group.roster.requests')}</h3>
          <ul className="plain-list" data-testid="group-requests">
            {requests.map((r) => (
              <Request key={r.id} request={r} roster={roster} view={view} act={act} />
            ))}
          </ul>
        </>
      )}
      <ul className="plain-list" data-testid="group-roster">
        {roster.map((m) => (
          <li key={m.id} className="row">
            <span>{m.name}</span>
            <Link className="button-small button-quiet" href={paths.groupCertificate(id, m.id)}>
              {t('group.cert.forMember', { name: m.name })}
            </Link>
            <button
              type="button"
              className="button-small button-quiet"
              onClick={() => void act((token) => groupApi.revokeDevices(id, token, m.id))}
            >
              {t('group.roster.revokeDevices')}
            </button>
            <button
              type="button"
              className="button-small button-danger"
              onClick={() => {
                if (window.confirm(t('group.roster.removeConfirm', { name: m.name })))
                  void act((token) => groupApi.removeMember(id, token, m.id));
              }}
            >
              {t('group.roster.remove')}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

function Request({
  request,
  roster,
  view,
  act,
}: {
  request: GroupLeaderView['members'][number];
  roster: GroupLeaderView['members'];
  view: GroupLeaderView;
  act: GroupAction;
}) {
  const t = useT();
  const [into, setInto] = useState('');
  const id = view.groupId;
  return (
    <li className="row">
      <span>{request.name}</span>
      <button
        type="button"
        className="button-small button-primary"
        onClick={() => void act((token) => groupApi.admit(id, token, request.id))}
      >
        {t('group.roster.admit')}
      </button>
      {roster.length > 0 && (
        <>
          <select
            aria-label={t('group.roster.sameAs', { name: request.name })}
            value={into}
            onChange={(e) => setInto(e.target.value)}
          >
            <option value="">{t('group.roster.sameAsPick')}</option>
            {roster.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name}
              </option>
            ))}
          </select>
          <button
            type="button"
            className="button-small"
            disabled={!into}
            onClick={() => void act((token) => groupApi.merge(id, token, request.id, into))}
          >
            {t('group.roster.merge')}
          </button>
        </>
      )}
      <button
        type="button"
        className="button-small button-quiet"
        onClick={() => void act((token) => groupApi.removeMember(id, token, request.id))}
      >
        {t('group.roster.decline')}
      </button>
    </li>
  );
}
