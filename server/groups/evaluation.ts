import { cryptoRandom, type RandomSource } from '../core/random';
import {
  EVALUATION_OPEN_MS,
  tally,
  validAnswer,
  type EvaluationAnswer,
  type EvaluationCounts,
  type EvaluationItem,
} from '../../shared/group/evaluation';
import { fail, ok, ERROR_CODES as E, type Result } from '../../shared/errors';
import type { Clock, TimerHandle } from '../core/clock';
import type { Logger } from '../core/logger';
import { newId } from '../security/tokens';
import type { GroupStore } from './store';

interface OpenEvaluation {
  items: EvaluationItem[];
  closesAt: number;
  /** Answers in no order that follows who gave them (shuffled in at a random place). */
  answers: EvaluationAnswer[];
  /** Which members answered, to refuse a second answer: memory only, never stored or sent. */
  answered: Set<string>;
  timer: TimerHandle;
}

export interface EvaluationView {
  open: { items: EvaluationItem[]; closesAt: number; answered: boolean } | null;
  results: { closedAt: number; answers: number; counts: EvaluationCounts }[];
}

/**
 * EVAL-n: answers are held in memory until the evaluation closes (a leader, or 15 minutes); then,
 * from three answers on, only the counts per item and answer are written, once. A restart loses an
 * open evaluation on purpose: nothing of it was ever on disk.
 */
export class GroupEvaluations {
  private open = new Map<string, OpenEvaluation>();

  constructor(private deps: { store: GroupStore; clock: Clock; logger: Logger; random?: RandomSource }) {}

  start(groupId: string, items: readonly EvaluationItem[]): Result<{ closesAt: number }> {
    if (this.open.has(groupId)) return fail(E.WRONG_STATUS, 'an evaluation is open already');
    if (items.length === 0) return fail(E.BAD_REQUEST, 'items: at least one');
    const closesAt = this.deps.clock.now() + EVALUATION_OPEN_MS;
    const timer = this.deps.clock.setTimer(closesAt, () => {
      this.close(groupId).catch((error: unknown) =>
        this.deps.logger.error('group.evaluation_close_failed', {
          groupId,
          error: error instanceof Error ? error.name : 'unknown',
        }),
      );
    });
    this.open.set(groupId, { items: [...new Set(items)], closesAt, answers: [], answered: new Set(), timer });
    return ok({ closesAt });
  }

  answer(groupId: string, memberId: string, answer: EvaluationAnswer): Result {
    const e = this.open.get(groupId);
    if (!e) return fail(E.WRONG_STATUS, 'no evaluation is open');
    if (e.answered.has(memberId)) return fail(E.WRONG_STATUS, 'you answered already');
    if (!validAnswer(e.items, answer)) return fail(E.BAD_REQUEST, 'answer: items on, values 1 to 5');
    e.answered.add(memberId);
    const random = this.deps.random ?? cryptoRandom;
    e.answers.splice(Math.floor(random.next() * (e.answers.length + 1)), 0, { ...answer });
    return ok(undefined);
  }

  /** EVAL-3: writes the counts once, or nothing under three answers; the answers are dropped. */
  async close(groupId: string): Promise<Result<{ written: boolean }>> {
    const e = this.open.get(groupId);
    if (!e) return fail(E.WRONG_STATUS, 'no evaluation is open');
    e.timer.cancel();
    this.open.delete(groupId);
    const result = tally(e.items, e.answers);
    const closedAt = this.deps.clock.now();
    e.answers.length = 0;
    e.answered.clear();
    if (result && (await this.deps.store.getGroup(groupId)))
      await this.deps.store.insertEvaluation(groupId, newId(), closedAt, result.answers, result.counts);
    this.deps.logger.info('group.evaluation_closed', { groupId, written: result !== null });
    return ok({ written: result !== null });
  }

  async view(groupId: string, memberId: string | null): Promise<EvaluationView> {
    const stored = await this.deps.store.evaluations(groupId);
    // Read after the store answered: an evaluation closed meanwhile shows closed.
    const e = this.open.get(groupId);
    return {
      open: e
        ? { items: e.items, closesAt: e.closesAt, answered: memberId !== null && e.answered.has(memberId) }
        : null,
      results: stored.map((r) => ({
        closedAt: r.closedAt,
        answers: r.answers,
        counts: r.counts as EvaluationCounts,
      })),
    };
  }

  stop(): void {
    for (const e of this.open.values()) e.timer.cancel();
  }
}
