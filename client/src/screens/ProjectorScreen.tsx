import { QuestionsArea } from '../components/QuestionsArea';
import { useEffect, useState } from 'react';
import type { MeetingView } from '../../../shared/meeting/view';
import { Countdown } from '../components/Countdown';
import { PromptBanner } from '../components/PromptBanner';
import { LiveRegion } from '../a11y/announcer';
import { usePhaseAnnouncement } from '../a11y/useAnnouncements';
import { useDocumentTitle } from '../components/useDocumentTitle';
import { QrCode } from '../components/QrCode';
import {
  api,
  ConnectionProvider,
  loadSeat,
  saveSeat,
  useBoard,
  useConnectionStatus,
  useMeetingConnection,
  useMeetingView,
  type ApiErrorCode,
} from '../connection';
import { LANGUAGES, setLanguage, useLanguage, useT, type Language } from '../i18n';
import { useJoinOrigin } from '../meeting/joinOrigin';
import { boardVisible, caseLabelNumber, currentCase, currentPhase, peopleHere } from '../meeting/viewRules';
import { takeFragmentSecret } from '../router';
import { EndScreen } from './EndScreen';
import { FullscreenButton } from './projector/FullscreenButton';
import { ProjectorBoard } from './projector/ProjectorBoard';
import { useWakeLock } from './projector/useWakeLock';

/** One claim per key and page, however often effects run. */
const claims = new Map<string, ReturnType<typeof api.claimProjector>>();
function claimOnce(meetingId: string, key: string) {
  let claim = claims.get(key);
  if (!claim) claims.set(key, (claim = api.claimProjector(meetingId, key)));
  return claim;
}

/** Claims the projector seat from the link's key once, then keeps its token on this device. */
function useProjectorToken(meetingId: string): {
  token: string | null;
  error: ApiErrorCode | 'no-key' | null;
} {
  const [token, setToken] = useState<string | null>(() => loadSeat(meetingId, 'projector')?.token ?? null);
  const [error, setError] = useState<ApiErrorCode | 'no-key' | null>(null);
  useEffect(() => {
    const key = takeFragmentSecret('k');
    if (token) return;
    if (!key) return setError('no-key');
    let live = true;
    void claimOnce(meetingId, key).then((r) => {
      if (!live) return;
      if (!r.ok) return setError(r.code);
      saveSeat(meetingId, r.value, 'projector');
      setToken(r.value.token);
    });
    return () => {
      live = false;
    };
  }, [meetingId, token]);
  return { token, error };
}

export default function ProjectorScreen({ meetingId }: { meetingId: string }) {
  const t = useT();
  const { token, error } = useProjectorToken(meetingId);
  const connection = useMeetingConnection(meetingId, token);
  if (error && !token) {
    return (
      <div className="projector projector-message">
        <p>{error === 'no-key' ? t('projector.noKey') : t(`error.${error}`)}</p>
      </div>
    );
  }
  if (!connection) return <div className="projector" />;
  return (
    <ConnectionProvider connection={connection}>
      <Projector />
    </ConnectionProvider>
  );
}

function Projector() {
  const view = useMeetingView();
  const status = useConnectionStatus();
  const t = useT();
  const lang = useLanguage();
  const [blank, setBlank] = useState(false);
  usePhaseAnnouncement(view);
  useWakeLock();
  useDocumentTitle(t('title.projector'), view?.title);

  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      if (event.key === 'b' || event.key === 'B') setBlank((b) => !b);
      // No menu on the room's screen: its own keyboard steps through the languages.
      if (event.key === 'l' || event.key === 'L') void setLanguage(nextLanguage(lang));
    }
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [lang]);

  // The console's blank (stored, SCREEN-12) and this keyboard's own: either one blanks the screen.
  if (blank || view?.projectorBlank) {
    return (
      <div className="projector projector-blank" data-testid="projector-blank">
        <p>{t(view?.projectorBlank ? 'projector.blankByLeader' : 'projector.blank')}</p>
      </div>
    );
  }
  if (status === 'ended' || view?.status === 'ended') {
    return (
      <main className="projector projector-message projector-end">
        <EndScreen room />
      </main>
    );
  }
  if (status === 'outdated') {
    return (
      <div className="projector projector-message" role="alert">
        <p>{t('conn.outdated')}</p>
        <button type="button" onClick={() => location.reload()}>
          {t('common.reload')}
        </button>
      </div>
    );
  }
  if (status === 'unauthenticated' || status === 'removed') {
    return (
      <div className="projector projector-message" role="alert">
        <p>{t('projector.noSeat')}</p>
      </div>
    );
  }
  if (!view) return <div className="projector" />;
  return (
    <main className="projector" data-testid="projector">
      {status !== 'online' && (
        <p className="projector-offline" role="status">
          {t(status === 'offline' ? 'projector.offline' : 'conn.connecting')}
        </p>
      )}
      {view.status === 'lobby' ? <Lobby view={view} /> : <Running view={view} />}
      <FullscreenButton />
      <LiveRegion />
    </main>
  );
}

function nextLanguage(lang: Language): Language {
  return LANGUAGES[(LANGUAGES.indexOf(lang) + 1) % LANGUAGES.length] ?? 'en';
}

function Lobby({ view }: { view: MeetingView }) {
  const t = useT();
  // On the laptop that runs the server the page is on localhost: phones need its network address.
  const { origin } = useJoinOrigin(view);
  const joinUrl = `${origin}/join`;
  const code = view.joinCode ?? '';
  return (
    <div className="projector-lobby">
      {view.title && <p className="projector-title">{view.title}</p>}
      <div className="projector-join">
        <div>
          <p className="projector-join-at">
            {t('projector.joinAt', { url: joinUrl.replace(/^https?:\/\//, '') })}
          </p>
          <p className="projector-code-label">{t('projector.code')}</p>
          <p className="projector-code" data-testid="projector-code">
            {code}
          </p>
        </div>
        {code && (
          <QrCode
            text={`${joinUrl}#code=${code}`}
            label={t('projector.joinAt', { url: joinUrl })}
            size={360}
          />
        )}
      </div>
      <p className="projector-foot">
        <span data-testid="projector-people">{t('projector.presence', { connected: peopleHere(view) })}</span>{' '}
        · {t('projector.hint')}
      </p>
    </div>
  );
}

function Running({ view }: { view: MeetingView }) {
  const t = useT();
  const phase = currentPhase(view);
  const showBoard = boardVisible(view);
  const board = useBoard(currentCase(view), showBoard);
  const caseNo = phase && view.cases.length > 1 ? caseLabelNumber(phase) : null;
  return (
    <div className={showBoard ? 'projector-board' : 'projector-calm'}>
      <header className="projector-phase">
        <div className="projector-phase-name">
          {caseNo !== null && <p className="phase-case">{t('phase.caseN', { n: caseNo })}</p>}
          <h1 data-testid="phase-name" data-phase={phase?.kind}>
            {phase ? t(`phase.${phase.kind}`) : ''}
          </h1>
        </div>
        {view.timer && <Countdown timer={view.timer} size="huge" />}
      </header>
      <PromptBanner view={view} size="huge" />
      {/* Never a name on the projector, whatever the anonymity mode. */}
      {/* FORMAT-2: where a group sits in a room it looks at the wall, so the wall says what now. */}
      {phase && !showBoard && view.spoken && view.spoken.format !== 'online' && !view.spoken.round && (
        <p className="projector-hint" data-testid="projector-hint">
          {t(`phaseAsk.${phase.kind}`)}
        </p>
      )}
      {/* No name on the projector, whatever the anonymity mode, but a round's two (VIEW-6). */}
      {view.spoken?.round && (
        <section className="projector-round" data-testid="projector-round">
          <p className="projector-speaker">{t('round.speaker', { name: view.spoken.round.speakerName })}</p>
          {view.spoken.round.nextName !== null && (
            <p className="projector-next">{t('round.next', { name: view.spoken.round.nextName })}</p>
          )}
        </section>
      )}
      {showBoard && <ProjectorBoard board={board} />}
      {/* BOARD-11: only what a leader passed on, in the questions phase. */}
      {phase?.kind === 'questions' && <QuestionsArea caseIndex={currentCase(view)} size="large" />}
    </div>
  );
}
