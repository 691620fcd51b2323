import { useEffect, useMemo, useState } from 'react';
import { usePhaseAnnouncement } from '../a11y/useAnnouncements';
import { ConnectionBanner, ConnectionDot } from '../components/ConnectionBanner';
import { Page } from '../components/Page';
import {
  ConnectionProvider,
  loadSeat,
  saveJson,
  useConnectionStatus,
  useMeetingConnection,
  useMeetingView,
} from '../connection';
import { useT } from '../i18n';
import { FIRST_CARD_KEY, markSeen, rulesKey, seenOnDevice } from '../meeting/firstTime';
import { isWaiting } from '../meeting/viewRules';
import { navigate, paths } from '../router';
import { EndScreen } from './EndScreen';
import { NoSeat } from './NoSeat';
import { GroundRules } from './seat/GroundRules';
import { ObserverView } from './seat/ObserverView';
import { ParticipantView } from './seat/ParticipantView';
import { PresenterView } from './seat/PresenterView';
import { SpokenPanel } from './seat/SpokenPanel';
import { useDocumentTitle } from '../components/useDocumentTitle';

/** The page of a person who joined with the code: member, presenter or observer. */
export default function SeatScreen({ meetingId }: { meetingId: string }) {
  const seat = useMemo(() => loadSeat(meetingId), [meetingId]);
  const connection = useMeetingConnection(meetingId, seat?.token ?? null);
  if (!seat) return <NoSeat />;
  if (!connection) return null;
  return (
    <ConnectionProvider connection={connection}>
      <SeatPage meetingId={meetingId} />
    </ConnectionProvider>
  );
}

function SeatPage({ meetingId }: { meetingId: string }) {
  const t = useT();
  const view = useMeetingView();
  useDocumentTitle(t('title.seat'), view?.title);
  const status = useConnectionStatus();
  const role = view?.you.effectiveRole;
  usePhaseAnnouncement(view);
  const [firstCardSeen, setFirstCardSeen] = useState(() => seenOnDevice(FIRST_CARD_KEY));

  useEffect(() => {
    // A member made co-leader works from the leader console, with the same seat.
    if (role === 'leader' || role === 'co-leader') navigate(paths.lead(meetingId), { replace: true });
  }, [role, meetingId]);

  if (status === 'ended' || view?.status === 'ended') {
    return (
      <Page>
        <EndScreen inGroup={view?.inGroup === true} />
      </Page>
    );
  }
  if (status === 'unauthenticated' || status === 'removed') {
    return <NoSeat message={status === 'removed' ? 'conn.removed' : 'conn.unauthenticated'} />;
  }

  let body;
  if (!view) body = <p className="loading">{t('common.loading')}</p>;
  else if (!firstCardSeen && role !== 'leader' && role !== 'co-leader')
    // The first meeting on this device: the phases and the ground rules before the lobby, once.
    body = (
      <GroundRules
        firstTime
        anonymity={view.anonymity}
        onAccept={() => {
          markSeen(FIRST_CARD_KEY);
          saveJson(rulesKey(meetingId), true);
          setFirstCardSeen(true);
        }}
      />
    );
  else if (isWaiting(view))
    body = (
      <div className="waiting" data-testid="waiting-room">
        <h1>{t('join.waiting')}</h1>
        <p>{t('join.waitingHint')}</p>
      </div>
    );
  else if (role === 'presenter') body = <PresenterView view={view} />;
  else if (role === 'observer') body = <ObserverView view={view} />;
  else body = <ParticipantView view={view} />;

  return (
    <Page status={<ConnectionDot />}>
      <ConnectionBanner />
      {view && (
        <p className="you-are">
          {t('seat.youAre', { role: t(`role.${view.you.effectiveRole}`) })}
          {view.you.name && <span className="you-name"> · {view.you.name}</span>}
        </p>
      )}
      {view && !isWaiting(view) && <SpokenPanel view={view} />}
      {body}
    </Page>
  );
}
