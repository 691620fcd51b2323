import { useCallback, useEffect, useState } from 'react';
import { Page } from '../../components/Page';
import { useDocumentTitle } from '../../components/useDocumentTitle';
import { saveSeat } from '../../connection';
import type { ApiErrorCode } from '../../connection/api';
import { forgetGroupToken, groupApi, loadGroupToken } from '../../connection/groupApi';
import { formatDateTime } from '../../meeting/format';
import { useLanguage, useT } from '../../i18n';
import { navigate, paths } from '../../router';
import { CaseLabelsPanel } from './CaseLabelsPanel';
import { EvaluationPanel } from './EvaluationPanel';
import { MemberRecord } from './MemberRecord';
import { usePolled } from './usePolled';

/**
 * GROUP-11/12: a member's group page. It shows their own entry and the next meeting; when the
 * group's meeting is live it takes them straight into their own seat, with no code and no name.
 */
export default function GroupMemberScreen({ groupId }: { groupId: string }) {
  const t = useT();
  const lang = useLanguage();
  const [token, setToken] = useState(() => loadGroupToken('member', groupId));
  const [enterError, setEnterError] = useState<ApiErrorCode | null>(null);
  const load = useCallback(() => groupApi.memberView(groupId, token ?? ''), [groupId, token]);
  const { result } = usePolled(token ? load : null);
  const view = result?.ok ? result.value : null;
  useDocumentTitle(view?.groupName ?? t('group.member.title'));

  useEffect(() => {
    // A revoked device, or a request a leader declined: the token is of no use any more.
    if (result && !result.ok && result.code === 'unauthenticated') {
      forgetGroupToken('member', groupId);
      setToken(null);
    }
  }, [result, groupId]);

  useEffect(() => {
    if (!token || view?.meeting !== 'live') return;
    void groupApi.enter(groupId, token).then((seat) => {
      if (!seat.ok) return setEnterError(seat.code);
      saveSeat(seat.value.meetingId, { seatId: seat.value.seatId, token: seat.value.token });
      navigate(paths.seat(seat.value.meetingId), { replace: true });
    });
  }, [groupId, token, view?.meeting]);

  async function signOut() {
    if (!token) return;
    await groupApi.signOut(groupId, token);
    forgetGroupToken('member', groupId);
    setToken(null);
  }

  async function downloadMine() {
    if (!token) return;
    const data = await groupApi.myExport(groupId, token);
    if (!data.ok) return setEnterError(data.code);
    const url = URL.createObjectURL(
      new Blob([JSON.stringify(data.value, null, 2)], { type: 'application/json' }),
    );
    const a = document.createElement('a');
    a.href = url;
    a.download = 'my-group-data.json';
    a.click();
    URL.revokeObjectURL(url);
  }

  async function leave() {
    if (!token || !window.confirm(t('group.member.leaveConfirm'))) return;
    const done = await groupApi.leave(groupId, token);
    if (!done.ok) return setEnterError(done.code);
    forgetGroupToken('member', groupId);
    setToken(null);
  }

  if (!token) {
    return (
      <Page>
        <h1>{t('group.member.title')}</h1>
        <p data-testid="group-signed-out">{t('group.member.signedOut')}</p>
      </Page>
    );
  }
  if (!view) {
    return (
      <Page>
        <p className="loading" role="status">
          {result && !result.ok ? t(`error.${result.code}`) : t('common.loading')}
        </p>
      </Page>
    );
  }
  return (
    <Page>
      <h1>{view.groupName}</h1>
      {view.deletesAt !== null && (
        <p className="notice" role="status" data-testid="group-retention">
          {t('group.retention.notice', { when: formatDateTime(view.deletesAt, lang) })}
        </p>
      )}
      <p>{t('group.member.you', { name: view.you.name })}</p>
      {view.you.status === 'pending' ? (
        <p className="notice" role="status" data-testid="group-pending">
          {t('group.member.pending')}
        </p>
      ) : (
        <p className="notice" role="status" data-testid="group-next">
          {view.meeting === 'live'
            ? t('group.member.live')
            : view.meeting === 'soon'
              ? t('group.member.soon')
              : view.nextAt !== null
                ? t('group.member.next', { when: formatDateTime(view.nextAt, lang) })
                : t('group.member.none')}
        </p>
      )}
      {view.you.status === 'admitted' && <EvaluationPanel groupId={groupId} token={token} leader={false} />}
      {view.you.status === 'admitted' && <CaseLabelsPanel groupId={groupId} token={token} leader={false} />}
      {view.you.status === 'admitted' && <MemberRecord groupId={groupId} token={token} />}
      {enterError && (
        <p className="error" role="alert">
          {t(`error.${enterError}`)}
        </p>
      )}
      <p className="row">
        <button type="button" className="button button-quiet" onClick={() => void signOut()}>
          {t('group.member.signOut')}
        </button>
        <button type="button" className="button button-quiet" onClick={() => void downloadMine()}>
          {t('group.member.export')}
        </button>
        <button type="button" className="button-danger" onClick={() => void leave()}>
          {t('group.member.leave')}
        </button>
      </p>
    </Page>
  );
}
