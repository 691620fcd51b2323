import { useCallback, useState } from 'react';
import { Page } from '../../components/Page';
import { useDocumentTitle } from '../../components/useDocumentTitle';
import { saveSeat } from '../../connection';
import type { ApiErrorCode } from '../../connection/api';
import { groupApi, loadGroupToken, saveGroupToken } from '../../connection/groupApi';
import { formatDateTime } from '../../meeting/format';
import { useLanguage, useT } from '../../i18n';
import { navigate, paths, takeFragmentSecret } from '../../router';
import { AttendancePanel } from './AttendancePanel';
import { CaseLabelsPanel } from './CaseLabelsPanel';
import { DebriefPanel } from './DebriefPanel';
import { EvaluationPanel } from './EvaluationPanel';
import type { GroupAction } from './groupAction';
import { LeadersPanel } from './LeadersPanel';
import { NextMeetingPanel } from './NextMeetingPanel';
import { RosterPanel } from './RosterPanel';
import { usePolled } from './usePolled';

function leaderToken(groupId: string): string | null {
  const fromLink = takeFragmentSecret('t');
  if (fromLink) saveGroupToken('leader', groupId, fromLink);
  return fromLink ?? loadGroupToken('leader', groupId);
}

/** GROUP-2..12: the group page of a leader: the next meeting, the roster, the leaders. */
export default function GroupLeaderScreen({ groupId }: { groupId: string }) {
  const t = useT();
  const lang = useLanguage();
  const [token] = useState(() => leaderToken(groupId));
  const [error, setError] = useState<ApiErrorCode | null>(null);
  const load = useCallback(() => groupApi.leaderView(groupId, token ?? ''), [groupId, token]);
  const { result, reload } = usePolled(token ? load : null);
  const view = result?.ok ? result.value : null;
  useDocumentTitle(view?.settings.name ?? t('group.lead.title'));

  const act: GroupAction = async (call) => {
    if (!token) return false;
    setError(null);
    const done = await call(token);
    if (!done.ok) setError(done.code);
    await reload();
    return done.ok;
  };

  async function openMeeting() {
    if (!token) return;
    const seat = await groupApi.enter(groupId, token);
    if (!seat.ok) return setError(seat.code);
    saveSeat(seat.value.meetingId, { seatId: seat.value.seatId, token: seat.value.token });
    navigate(
      seat.value.role === 'participant' ? paths.seat(seat.value.meetingId) : paths.lead(seat.value.meetingId),
    );
  }

  async function startMeeting() {
    if (!token) return;
    const started = await groupApi.startMeeting(groupId, token);
    if (!started.ok) return setError(started.code);
    // A full load: the console reads its token from the link's fragment like any leader link.
    window.location.assign(started.value.leaderLink);
  }

  if (!token || (result && !result.ok && result.code === 'unauthenticated')) {
    return (
      <Page>
        <h1>{t('group.lead.title')}</h1>
        <p>{t('group.lead.noLink')}</p>
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
    <Page wide>
      <h1>{view.settings.name}</h1>
      <p className="hint">
        {t(`group.mode.${view.settings.mode}`)} · {view.settings.plan.name}
      </p>
      {view.deletesAt !== null && (
        <p className="notice" role="status" data-testid="group-retention">
          {t('group.retention.notice', { when: formatDateTime(view.deletesAt, lang) })}
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {t(`error.${error}`)}
        </p>
      )}
      <NextMeetingPanel
        view={view}
        act={act}
        onStart={() => void startMeeting()}
        onOpen={() => void openMeeting()}
      />
      <AttendancePanel view={view} token={token} act={act} />
      <EvaluationPanel groupId={groupId} token={token} leader />
      <CaseLabelsPanel groupId={groupId} token={token} leader />
      <DebriefPanel groupId={groupId} token={token} />
      <RosterPanel view={view} act={act} />
      <LeadersPanel view={view} token={token} act={act} />
    </Page>
  );
}
