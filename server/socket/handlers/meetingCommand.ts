import { fail, ERROR_CODES as E, type Result } from '../../../shared/errors';
import { commandEnvelopeSchema } from '../../../shared/meeting/commands';
import type { MeetingHub } from '../../core/hub';
import type { AppSocket } from '../types';

/**
 * `meeting:command`. AUTH: the seat from the handshake; the permission table lives in the pure
 * transition (leaders only). VALIDATION: zod, strict. RESOLUTION: hub.run stores, then acks.
 */
export function handleMeetingCommand(hub: MeetingHub, socket: AppSocket, payload: unknown): Result {
  const parsed = commandEnvelopeSchema.safeParse(payload);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    return fail(
      E.BAD_REQUEST,
      first ? `${first.path.join('.') || 'payload'}: ${first.message}` : 'bad command',
    );
  }
  const { meetingId, seatId } = socket.data;
  return hub.run(meetingId, { kind: 'seat', seatId }, parsed.data.command, {
    commandId: parsed.data.commandId,
  });
}
