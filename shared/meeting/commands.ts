import { z } from 'zod';
import { spokenCommandSchemas } from '../spoken/commands';
import { PHASE_KINDS } from './phases';
import { PROMPT_COMMAND_SCHEMAS } from './promptSchema';

/**
 * Meeting commands as they travel on the wire (`meeting:command`). Every command carries a
 * client-made `commandId` so that a retry after a reconnect is applied once.
 * Zod gives both the type and the runtime check; `.strict()` refuses unknown keys.
 */
const id = z.string().min(1).max(64);
const minutes = z.number().int().min(-180).max(180);

export const meetingCommandSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('meeting:start') }).strict(),
  z.object({ type: z.literal('meeting:end') }).strict(),
  z.object({ type: z.literal('timer:pause') }).strict(),
  z.object({ type: z.literal('timer:resume') }).strict(),
  /** Extend (positive) or shorten (negative) the running phase by whole minutes. */
  z
    .object({ type: z.literal('timer:adjust'), minutes: minutes.refine((m) => m !== 0, 'must not be 0') })
    .strict(),
  z.object({ type: z.literal('phase:next') }).strict(),
  z.object({ type: z.literal('phase:previous') }).strict(),
  z.object({ type: z.literal('phase:jump'), phaseId: id }).strict(),
  z
    .object({ type: z.literal('phase:setDuration'), phaseId: id, minutes: z.number().int().min(1).max(180) })
    .strict(),
  z
    .object({
      type: z.literal('phase:add'),
      kind: z.enum(PHASE_KINDS),
      minutes: z.number().int().min(1).max(180),
      afterPhaseId: id.nullable(),
      caseIndex: z.number().int().min(0).max(1).nullable(),
    })
    .strict(),
  z.object({ type: z.literal('phase:remove'), phaseId: id }).strict(),
  /** FOLLOW-5: one action adds a short follow-up phase (a group's meeting only). */
  z.object({ type: z.literal('phase:addFollowUp') }).strict(),
  /** Repeat the case phases of the last case for a new case, right after it. */
  z.object({ type: z.literal('case:add') }).strict(),
  z
    .object({
      type: z.literal('presenter:set'),
      caseIndex: z.number().int().min(0).max(1),
      seatId: id.nullable(),
    })
    .strict(),
  /** BOARD-10: the presenter shows (or withdraws) their resonance marks; a leader may withdraw. */
  z
    .object({
      type: z.literal('case:showResonance'),
      caseIndex: z.number().int().min(0).max(1),
      on: z.boolean(),
    })
    .strict(),
  /** BOARD-9: who sees a case's parking lot. */
  z
    .object({
      type: z.literal('case:setParkingLot'),
      caseIndex: z.number().int().min(0).max(1),
      parkingLot: z.enum(['leaders', 'export', 'room']),
    })
    .strict(),
  z
    .object({
      type: z.literal('seat:setRole'),
      seatId: id,
      role: z.enum(['co-leader', 'participant', 'observer']),
    })
    .strict(),
  z.object({ type: z.literal('seat:remove'), seatId: id }).strict(),
  z.object({ type: z.literal('seat:admit'), seatId: id }).strict(),
  z.object({ type: z.literal('joinCode:rotate') }).strict(),
  z
    .object({
      type: z.literal('settings:update'),
      locked: z.boolean().optional(),
      autoAdvance: z.boolean().optional(),
      timerVisibility: z.enum(['leaders', 'everyone']).optional(),
      anonymity: z.enum(['anonymous', 'named']).optional(),
      release: z.enum(['batch', 'screening']).optional(),
      boardOpen: z.boolean().optional(),
      projectorBlank: z.boolean().optional(),
      title: z.string().trim().min(1).max(120).optional(),
    })
    .strict(),
  ...PROMPT_COMMAND_SCHEMAS,
  ...spokenCommandSchemas,
]);

export type MeetingCommand = z.infer<typeof meetingCommandSchema>;
export type MeetingCommandType = MeetingCommand['type'];

export const commandEnvelopeSchema = z
  .object({ commandId: z.string().min(8).max(64), command: meetingCommandSchema })
  .strict();
export type CommandEnvelope = z.infer<typeof commandEnvelopeSchema>;

/**
 * Commands only the server makes: seats joining through REST, the clock reaching a deadline.
 * They enter the same pure transition function as leaders' commands.
 */
export type ServerCommand =
  | { type: 'seat:join'; seatId: string; role: 'participant' | 'observer' | 'projector'; name: string }
  | { type: 'clock:tick' };

/** Who sent a command: a seat, or the server itself. */
export type Actor = { kind: 'seat'; seatId: string } | { kind: 'server' };
