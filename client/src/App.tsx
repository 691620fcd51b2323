import { lazy, Suspense, type ReactNode } from 'react';
import { useT } from './i18n';
import { useRoute, type Route } from './router';
import { AboutScreen, NotFoundScreen, PrivacyScreen } from './screens/StaticScreens';

// One chunk per role, so a phone joining a meeting does not download the leader console.
const StartScreen = lazy(() => import('./screens/StartScreen'));
const JoinScreen = lazy(() => import('./screens/JoinScreen'));
const LeaderScreen = lazy(() => import('./screens/LeaderScreen'));
const SeatScreen = lazy(() => import('./screens/SeatScreen'));
const ProjectorScreen = lazy(() => import('./screens/ProjectorScreen'));
// Groups: the member's pages stay apart from the leaders' page (a phone loads only its own).
const GroupCreateScreen = lazy(() => import('./screens/group/GroupCreateScreen'));
const GroupJoinScreen = lazy(() => import('./screens/group/GroupJoinScreen'));
const GroupMemberScreen = lazy(() => import('./screens/group/GroupMemberScreen'));
const GroupLeaderScreen = lazy(() => import('./screens/group/GroupLeaderScreen'));
const CertificateScreen = lazy(() => import('./screens/group/CertificateScreen'));

function screenFor(route: Route): ReactNode {
  switch (route.name) {
    case 'start':
      return <StartScreen />;
    case 'about':
      return <AboutScreen />;
    case 'privacy':
      return <PrivacyScreen />;
    case 'join':
      return <JoinScreen />;
    case 'lead':
      return <LeaderScreen meetingId={route.meetingId} />;
    case 'seat':
      return <SeatScreen meetingId={route.meetingId} />;
    case 'projector':
      return <ProjectorScreen meetingId={route.meetingId} />;
    case 'group-new':
      return <GroupCreateScreen />;
    case 'group-join':
      return <GroupJoinScreen />;
    case 'group-member':
      return <GroupMemberScreen groupId={route.groupId} />;
    case 'group-lead':
      return <GroupLeaderScreen groupId={route.groupId} />;
    case 'group-certificate':
      return <CertificateScreen groupId={route.groupId} />;
    case 'not-found':
      return <NotFoundScreen />;
  }
}

function Loading() {
  const t = useT();
  return (
    <p className="loading" role="status">
      {t('common.loading')}
    </p>
  );
}

export function App() {
  const route = useRoute();
  // Keyed by meeting so that moving between meetings starts from a clean connection.
  const key =
    'meetingId' in route
      ? `${route.name}:${route.meetingId}`
      : 'groupId' in route
        ? `${route.name}:${route.groupId}`
        : route.name;
  return (
    <Suspense fallback={<Loading />} key={key}>
      {screenFor(route)}
    </Suspense>
  );
}
