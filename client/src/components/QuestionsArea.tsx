import { usePassedQuestions } from '../connection';
import { useT } from '../i18n';

/**
 * The questions a leader passed on (BOARD-11), apart from the board: the presenter's and the
 * projector's questions area in the questions phase. Nothing else is ever in it.
 */
export function QuestionsArea({
  caseIndex,
  size = 'normal',
}: {
  caseIndex: number;
  size?: 'normal' | 'large';
}) {
  const t = useT();
  const view = usePassedQuestions();
  const questions = view?.caseIndex === caseIndex ? view.questions : [];
  return (
    <section
      className={`questions-area questions-${size}`}
      aria-labelledby="questions-title"
      data-testid="questions-area"
    >
      <h2 id="questions-title">{t('questions.title')}</h2>
      {questions.length === 0 ? (
        <p className="hint">{t('questions.none')}</p>
      ) : (
        <ul className="questions-list">
          {questions.map((q) => (
            <li key={q.noteId} className="question" data-testid="passed-question">
              {q.text}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
