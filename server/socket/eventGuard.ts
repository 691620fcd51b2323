import { fail, rateLimited, ERROR_CODES as E } from '../../shared/errors';
import type { Logger } from '../core/logger';
import { EVENT_BUDGET_OF, LIMIT_WINDOW_MS, MAX_QUEUED_EVENTS, type EventBudgetName } from '../limits/budgets';
import { seatKey, type Limits } from '../limits/seatLimits';
import type { AppSocket } from './types';

/**
 * How one client event is handled once its budget allowed it: `args` is how many arguments it
 * takes before its ack, `handle` returns the ack's value.
 */
export interface EventSpec {
  args: 0 | 1;
  handle(payload: unknown): unknown;
}

/** Registers a connection's events, each behind its budget and the ack rules. */
export interface EventGuard {
  on(event: string, spec: EventSpec): void;
}

/**
 * Wraps every event of one connection (SPEC.md LIMIT-7..9):
 * - the ack is the last argument whenever it is a function; an event without one is ignored
 *   (it still spends its budget), since its sender could never learn the outcome;
 * - an event with an ack gets exactly one answer: `bad-request` for a wrong argument count or an
 *   unknown event, `rate-limited` with `retryAfterMs` past a budget, else the handler's value;
 * - events are handled in arrival order: each waits in the connection's queue while its budget
 *   is asked (the store is asynchronous).
 */
export function createEventGuard(socket: AppSocket, limits: Limits, logger: Logger): EventGuard {
  const { meetingId, seatId } = socket.data;
  const seat = seatKey(meetingId, seatId);
  const known = new Set<string>();
  let tail: Promise<void> = Promise.resolve();
  let queued = 0;

  function dispatch(event: string, budget: EventBudgetName, spec: EventSpec | null, args: unknown[]): void {
    const last = args.at(-1);
    const reply = typeof last === 'function' ? (last as (value: unknown) => void) : null;
    if (reply) args.pop();
    let answered = false;
    const ack = reply
      ? (value: unknown) => {
          if (answered) return;
          answered = true;
          reply(value);
        }
      : null;
    if (queued >= MAX_QUEUED_EVENTS) {
      ack?.(rateLimited(LIMIT_WINDOW_MS, 'too many requests waiting, slow down'));
      return;
    }
    queued += 1;
    tail = tail
      .then(async () => {
        const verdict = await limits.event(budget, socket.id, seat);
        if (!ack) {
          logger.debug('socket.event_ignored', { event: spec ? event : 'unknown', reason: 'no-ack' });
          return;
        }
        if (!verdict.ok) return ack(rateLimited(verdict.retryAfterMs));
        if (!spec) return ack(fail(E.BAD_REQUEST, 'unknown event'));
        if (args.length !== spec.args) {
          return ack(
            fail(
              E.BAD_REQUEST,
              `${event} takes ${spec.args === 0 ? 'no payload' : 'one payload'} and an ack`,
            ),
          );
        }
        // A connection that closed meanwhile is not acted for: its client resends after reconnecting.
        if (!socket.connected) return;
        // Awaited: the connection's next event waits, so its acks stay in arrival order.
        ack(await spec.handle(args[0]));
      })
      .catch((error: unknown) => {
        logger.error('socket.event_failed', {
          event,
          error: error instanceof Error ? error.name : 'unknown',
        });
        ack?.(fail(E.UNAVAILABLE, 'the server could not do this, try again'));
      })
      .finally(() => {
        queued -= 1;
      });
  }

  socket.onAny((event: unknown, ...args: unknown[]) => {
    if (typeof event === 'string' && known.has(event)) return;
    dispatch(String(event), 'unknown', null, args);
  });

  return {
    on(event, spec) {
      known.add(event);
      const budget = EVENT_BUDGET_OF[event] ?? 'unknown';
      socket.on(event as 'time:ping', (...args: unknown[]) => dispatch(event, budget, spec, args));
    },
  };
}
