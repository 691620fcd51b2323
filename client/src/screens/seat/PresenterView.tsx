import type { MeetingView } from '../../../../shared/meeting/view';
import { useNewNotesAnnouncement } from '../../a11y/useAnnouncements';
import { BoardView } from '../../components/BoardView';
import { QuestionsArea } from '../../components/QuestionsArea';
import { PhaseHeader } from '../../components/PhaseHeader';
import { PromptBanner } from '../../components/PromptBanner';
import { useBoard, useConnection, usePresenterMarks } from '../../connection';
import { useT, type MessageKey } from '../../i18n';
import { boardVisible, currentCase, currentPhase } from '../../meeting/viewRules';
import { PresenterKeepPanel } from '../followUp/PresenterKeepPanel';
import { TimerLine } from './TimerLine';

/**
 * The presenter's calm page: no text field while presenting; during push-back a read-only board
 * with no names and a visible "listening" status; in the return phase notes can be marked.
 */
export function PresenterView({ view }: { view: MeetingView }) {
  const t = useT();
  const connection = useConnection();
  const phase = currentPhase(view);
  const showBoard = boardVisible(view);
  const board = useBoard(currentCase(view), showBoard);
  useNewNotesAnnouncement(board);
  const listening = view.status === 'running' && (phase?.rules.presenterListens ?? false);
  const returning = phase?.kind === 'return';
  const caseIndex = currentCase(view);
  const marks = usePresenterMarks();
  const marked = new Set(marks?.caseIndex === caseIndex ? marks.marked : []);
  // BOARD-10: the marks are the presenter's; only their yes shows them to the room.
  const shown = view.cases[caseIndex]?.resonanceShown ?? false;

  let title: MessageKey | null = null;
  let hint: MessageKey | null = null;
  if (phase?.kind === 'presentation') [title, hint] = ['presenter.presenting', 'presenter.presentingHint'];
  else if (phase?.kind === 'questions') hint = 'presenter.questions';
  else if (listening) [title, hint] = ['presenter.listening', 'presenter.listeningHint'];
  else if (returning) [title, hint] = ['presenter.return', 'presenter.returnHint'];

  return (
    <div className={`presenter${listening ? ' is-listening' : ''}`}>
      <PhaseHeader view={view} showAsk={false} />
      {listening && (
        <p className="listening-badge" role="status" data-testid="listening">
          <span aria-hidden="true" className="listening-dot" />
          {t('presenter.listening')}
        </p>
      )}
      {title && !listening && <h2 className="presenter-title">{t(title)}</h2>}
      {hint && <p className="presenter-hint">{t(hint)}</p>}
      <TimerLine view={view} />
      <PromptBanner view={view} />
      <PresenterKeepPanel view={view} />
      {phase?.kind === 'questions' && <QuestionsArea caseIndex={caseIndex} />}
      {showBoard && (
        <section aria-label={t('seat.board')}>
          {returning && (
            <label className="switch resonance-consent">
              <input
                type="checkbox"
                role="switch"
                checked={shown}
                data-testid="show-resonance"
                aria-describedby="show-resonance-hint"
                onChange={(e) =>
                  void connection.command({ type: 'case:showResonance', caseIndex, on: e.target.checked })
                }
              />
              <span>{t('presenter.showMarks')}</span>
            </label>
          )}
          {returning && (
            <p className="hint" id="show-resonance-hint">
              {t(shown ? 'presenter.marksShownHint' : 'presenter.marksOwnHint')}
            </p>
          )}
          <BoardView
            board={board}
            marked={marked}
            onResonate={
              returning
                ? (note, on) => void connection.request('note:resonate', { noteId: note.id, on })
                : undefined
            }
          />
        </section>
      )}
    </div>
  );
}
