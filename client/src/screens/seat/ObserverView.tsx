import type { MeetingView } from '../../../../shared/meeting/view';
import { useNewNotesAnnouncement } from '../../a11y/useAnnouncements';
import { BoardView } from '../../components/BoardView';
import { PhaseHeader } from '../../components/PhaseHeader';
import { PromptBanner } from '../../components/PromptBanner';
import { useBoard } from '../../connection';
import { useT } from '../../i18n';
import { boardVisible, currentCase } from '../../meeting/viewRules';
import { TimerLine } from './TimerLine';

export function ObserverView({ view }: { view: MeetingView }) {
  const t = useT();
  const showBoard = boardVisible(view);
  const board = useBoard(currentCase(view), showBoard);
  useNewNotesAnnouncement(board);
  return (
    <>
      <PhaseHeader view={view} />
      <TimerLine view={view} />
      <PromptBanner view={view} />
      <p className="hint">{t('seat.observerHint')}</p>
      {view.status === 'lobby' && (
        <>
          <p>{t('seat.lobby')}</p>
          <p className="hint">{t('seat.lobbyHint')}</p>
        </>
      )}
      {showBoard && (
        <section aria-label={t('seat.board')}>
          <h2>{t('seat.board')}</h2>
          <BoardView board={board} showNames={view.anonymity === 'named'} />
        </section>
      )}
    </>
  );
}
