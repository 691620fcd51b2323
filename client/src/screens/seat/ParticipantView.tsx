import { useEffect, useState } from 'react';
import type { MeetingView } from '../../../../shared/meeting/view';
import { useNewNotesAnnouncement } from '../../a11y/useAnnouncements';
import { BoardView } from '../../components/BoardView';
import { PhaseHeader } from '../../components/PhaseHeader';
import { PromptBanner } from '../../components/PromptBanner';
import { loadJson, meetingKey, saveJson, useBoard } from '../../connection';
import { useT } from '../../i18n';
import { boardVisible, currentCase, currentPhase, kindsICanPost } from '../../meeting/viewRules';
import { Composer } from './Composer';
import { GroundRules } from './GroundRules';
import { MyNotesList } from './MyNotesList';
import { TimerLine } from './TimerLine';
import { useMyNotes } from './useMyNotes';

export function ParticipantView({ view }: { view: MeetingView }) {
  const t = useT();
  const rulesKey = meetingKey('rules', view.meetingId);
  const [rulesAccepted, setRulesAccepted] = useState(() => loadJson<boolean>(rulesKey) === true);
  const { notes: allMine, actions } = useMyNotes();
  const kinds = kindsICanPost(view);
  const phase = currentPhase(view);
  const showBoard = boardVisible(view);
  const caseIndex = currentCase(view);
  const board = useBoard(caseIndex, showBoard);
  // A new case brings a new board: the list follows it, as the board does.
  const notes = allMine.filter((n) => n.caseIndex === caseIndex);
  useNewNotesAnnouncement(board);
  // A release, an edit or a leader's hide shows up as a board change: ask what became of ours.
  useEffect(() => {
    if (board.synced) void actions.refresh();
  }, [board, actions]);

  if (view.status === 'lobby') {
    return (
      <>
        <PhaseHeader view={view} />
        <p>{t('seat.lobby')}</p>
        <p className="hint">{t('seat.lobbyHint')}</p>
        <p className="hint">
          {t(view.anonymity === 'anonymous' ? 'common.anonymousMode' : 'common.namedMode')}
        </p>
      </>
    );
  }

  let input;
  if (kinds.length === 0) {
    const closed = !view.boardOpen && (phase?.rules.postKinds.length ?? 0) > 0;
    input = <p className="quiet-box">{t(closed ? 'seat.boardClosed' : 'seat.noNotesNow')}</p>;
  } else if (!rulesAccepted) {
    input = (
      <GroundRules
        anonymity={view.anonymity}
        onAccept={() => {
          saveJson(rulesKey, true);
          setRulesAccepted(true);
        }}
      />
    );
  } else {
    input = <Composer kinds={kinds} onSend={(kind, text) => void actions.add(kind, text, caseIndex)} />;
  }

  return (
    <>
      <PhaseHeader view={view} />
      <TimerLine view={view} />
      <PromptBanner view={view} />
      {input}
      {kinds.length > 0 && rulesAccepted && (
        <p className="hint">
          {t(view.anonymity === 'anonymous' ? 'common.anonymousMode' : 'common.namedMode')}
        </p>
      )}
      {showBoard && (
        <section aria-label={t('seat.board')}>
          <h2>{t('seat.board')}</h2>
          <BoardView board={board} showNames={view.anonymity === 'named'} />
        </section>
      )}
      {(kinds.length > 0 || notes.length > 0) && <MyNotesList notes={notes} actions={actions} />}
    </>
  );
}
