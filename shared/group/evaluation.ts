/**
 * The anonymous evaluation after a group meeting (SPEC.md EVAL-n), as pure rules: fixed items on
 * a 5-point scale, counts only, and only from three answers on.
 */
export const EVALUATION_ITEMS = ['safe', 'relationship', 'frame', 'heard', 'useful'] as const;
export type EvaluationItem = (typeof EVALUATION_ITEMS)[number];
/** EVAL-3: fewer answers than this write nothing (a count of one or two points at people). */
export const MIN_EVALUATION_ANSWERS = 3;
/** EVAL-2: an open evaluation closes by itself after this long. */
export const EVALUATION_OPEN_MS = 15 * 60_000;
export const SCALE = [1, 2, 3, 4, 5] as const;

export type EvaluationAnswer = Partial<Record<EvaluationItem, number>>;
/** Per item, the number of answers for 1..5 (index 0 is "1"). */
export type EvaluationCounts = Partial<Record<EvaluationItem, [number, number, number, number, number]>>;

/** EVAL-1: an answer names only items that are on, each with a whole number from 1 to 5. */
export function validAnswer(items: readonly EvaluationItem[], answer: EvaluationAnswer): boolean {
  const keys = Object.keys(answer);
  if (keys.length === 0) return false;
  return keys.every((k) => {
    const v = answer[k as EvaluationItem];
    return (
      items.includes(k as EvaluationItem) && Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 5
    );
  });
}

/** EVAL-3: the counts to write at the close, or null when fewer than three answered. */
export function tally(
  items: readonly EvaluationItem[],
  answers: readonly EvaluationAnswer[],
): { counts: EvaluationCounts; answers: number } | null {
  if (answers.length < MIN_EVALUATION_ANSWERS) return null;
  const counts: EvaluationCounts = {};
  for (const item of items) {
    const row: [number, number, number, number, number] = [0, 0, 0, 0, 0];
    for (const a of answers) {
      const v = a[item];
      if (v !== undefined) row[v - 1] = (row[v - 1] ?? 0) + 1;
    }
    counts[item] = row;
  }
  return { counts, answers: answers.length };
}
