import type { z } from 'zod';
import { fail, ERROR_CODES as E, type CommandError, type Result } from '../../shared/errors';
import type { Logger } from './logger';

/** The first zod issue as a refusal; never echoes the input (it may hold note text). */
export function parseOr<T>(
  schema: z.ZodType<T>,
  payload: unknown,
): { ok: true; value: T } | { ok: false; error: CommandError } {
  const parsed = schema.safeParse(payload);
  if (parsed.success) return { ok: true, value: parsed.data };
  const first = parsed.error.issues[0];
  return fail(
    E.BAD_REQUEST,
    first ? `${first.path.join('.') || 'payload'}: ${first.message}` : 'bad request',
  );
}

/**
 * Runs a socket handler so that a thrown error or a rejection (storage failing) becomes a clear
 * refusal instead of a crash: every message gets an answer. Only the error's name is logged: its
 * message may quote the input (note text, a name).
 */
export async function answerSafely<T>(
  logger: Logger,
  event: string,
  handler: () => Result<T> | Promise<Result<T>>,
): Promise<Result<T>> {
  try {
    return await handler();
  } catch (error) {
    logger.error('handler.failed', { event, error: error instanceof Error ? error.name : 'unknown' });
    return fail(E.UNAVAILABLE, 'the server could not do this, try again');
  }
}
