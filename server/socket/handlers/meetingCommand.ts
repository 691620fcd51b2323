import type { Result } from '../../../shared/errors';
import { commandEnvelopeSchema } from '../../../shared/meeting/commands';
import { parseOr } from '../../core/answer';
import type { MeetingHub } from '../../core/hub';
import type { AppSocket } from '../types';

/**
 * `meeting:command`. AUTH: the seat from the handshake; the permission table lives in the pure
 * transition (leaders only). VALIDATION: zod, strict. RESOLUTION: hub.run stores, then acks.
 */
export async function handleMeetingCommand(
  hub: MeetingHub,
  socket: AppSocket,
  payload: unknown,
): Promise<Result> {
  const parsed = parseOr(commandEnvelopeSchema, payload);
  if (!parsed.ok) return parsed;
  const { meetingId, seatId } = socket.data;
  return hub.run(meetingId, { kind: 'seat', seatId }, parsed.value.command, {
    commandId: parsed.value.commandId,
  });
}
