import { SpokenConsole } from './lead/SpokenConsole';
import { useEffect, useState } from 'react';
import type { BoardExport } from '../../../shared/protocol';
import { usePhaseAnnouncement } from '../a11y/useAnnouncements';
import { ConnectionBanner, ConnectionDot } from '../components/ConnectionBanner';
import { Page } from '../components/Page';
import {
  ConnectionProvider,
  loadSeat,
  saveSeat,
  useConnectionStatus,
  useMeetingConnection,
  useMeetingView,
} from '../connection';
import { useT } from '../i18n';
import { navigate, paths, takeFragmentSecret } from '../router';
import { EndScreen } from './EndScreen';
import { FollowUpConsole } from './followUp/FollowUpConsole';
import { BoardPanel } from './lead/BoardPanel';
import { ExportPanel } from './lead/ExportPanel';
import { PresencePanel } from './lead/PresencePanel';
import { PrintView } from './lead/PrintView';
import { SettingsPanel } from './lead/SettingsPanel';
import { Timeline } from './lead/Timeline';
import { TimerPanel } from './lead/TimerPanel';
import { useCommand } from './lead/useCommand';
import { ConsoleTour } from './voice/ConsoleTour';
import { PromptPanel } from './voice/PromptPanel';
import { markSeen, seenOnDevice, TOUR_KEY } from '../meeting/firstTime';
import { useDocumentTitle } from '../components/useDocumentTitle';

/**
 * The leader's token arrives once in the link's fragment (`#t=…`, never sent to the server by
 * the browser); it is kept for this device and the fragment is removed from the address bar.
 * A co-leader comes here with the seat they joined with.
 */
function takeLeaderToken(meetingId: string): string | null {
  const fromLink = takeFragmentSecret('t');
  if (fromLink) {
    // The seat id is not in the link; the view tells it, and the token is what matters.
    saveSeat(meetingId, { seatId: '', token: fromLink });
    return fromLink;
  }
  return loadSeat(meetingId)?.token ?? null;
}

export default function LeaderScreen({ meetingId }: { meetingId: string }) {
  const t = useT();
  const [token] = useState(() => takeLeaderToken(meetingId));
  const connection = useMeetingConnection(meetingId, token);
  if (!token) {
    return (
      <Page>
        <p className="notice" role="alert">
          {t('lead.noToken')}
        </p>
      </Page>
    );
  }
  if (!connection) return null;
  return (
    <ConnectionProvider connection={connection}>
      <Console />
    </ConnectionProvider>
  );
}

function Console() {
  const t = useT();
  const view = useMeetingView();
  const status = useConnectionStatus();
  const { run, error, clearError } = useCommand();
  const [printing, setPrinting] = useState<BoardExport | null>(null);
  // A leader's first console on this device opens with the tour (once; reopened from the head).
  const [touring, setTouring] = useState(() => !seenOnDevice(TOUR_KEY));
  usePhaseAnnouncement(view);
  useDocumentTitle(t('title.console'), view?.title);
  const role = view?.you.effectiveRole;
  const meetingId = view?.meetingId;
  useEffect(() => {
    // A co-leader who steps down goes on with the same seat on the members' page.
    if (meetingId && role && role !== 'leader' && role !== 'co-leader') {
      navigate(paths.seat(meetingId), { replace: true });
    }
  }, [role, meetingId]);

  if (status === 'ended' || view?.status === 'ended') {
    return (
      <Page>
        <EndScreen inGroup={view?.inGroup === true} />
      </Page>
    );
  }
  if (printing) return <PrintView data={printing} onClose={() => setPrinting(null)} />;
  if (!view) {
    return (
      <Page status={<ConnectionDot />}>
        <ConnectionBanner />
        <p className="loading">{t('common.loading')}</p>
      </Page>
    );
  }
  return (
    <Page wide status={<ConnectionDot />}>
      <ConnectionBanner />
      <div className="console-head">
        <p className="console-title">
          {t('lead.title')}
          {view.title && <strong> · {view.title}</strong>}
        </p>
        {!touring && (
          <button type="button" className="button-small button-quiet" onClick={() => setTouring(true)}>
            {t('tour.open')}
          </button>
        )}
      </div>
      {touring && (
        <ConsoleTour
          onClose={() => {
            markSeen(TOUR_KEY);
            setTouring(false);
          }}
        />
      )}
      {error && (
        <div className="error-row" role="alert">
          <p className="error">{t(`error.${error}`)}</p>
          <button type="button" className="button-small button-quiet" onClick={clearError}>
            {t('common.close')}
          </button>
        </div>
      )}
      {/* Time and people first; the board gets the whole width; then the plan and the settings. */}
      <div className="console">
        <div className="console-timer" data-tour="timer">
          <TimerPanel view={view} run={run} />
        </div>
        <div className="console-people" data-tour="people">
          <PresencePanel view={view} run={run} />
          <SpokenConsole view={view} run={run} />
          <FollowUpConsole view={view} run={run} />
        </div>
        {view.status === 'running' && (
          <div className="console-board" data-tour="board">
            <BoardPanel view={view} run={run} />
            <PromptPanel view={view} run={run} />
          </div>
        )}
        <div className="console-plan" data-tour="plan">
          <Timeline view={view} run={run} />
        </div>
        <div className="console-side" data-tour="side">
          <SettingsPanel view={view} run={run} />
          {/* In the lobby, own prompts can be written ahead; while running they sit by the board. */}
          {view.status === 'lobby' && <PromptPanel view={view} run={run} />}
          {view.status === 'running' && <ExportPanel onPrint={setPrinting} />}
        </div>
      </div>
    </Page>
  );
}
