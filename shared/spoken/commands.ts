import { z } from 'zod';
import { INTAKE_LABEL_MAX, MEETING_FORMATS, ROUND_ORDERS } from './state';

/**
 * The spoken work's commands (intake, hands, rounds, the meeting's format). They travel in
 * `meeting:command` like every meeting command; who may send each is in the permission table
 * (shared/meeting/permissions.ts).
 */
const id = z.string().min(1).max(64);
/** A member without a device, as the leader types them. */
const personName = z.string().trim().min(1).max(60);
export const MAX_ROUND_EXTRAS = 40;
export const MAX_SEATING = 200;

/** Exactly one of an existing seat or a name only. */
const oneOf = (c: { seatId?: string; name?: string }) => (c.seatId === undefined) !== (c.name === undefined);
const seatOrName = { seatId: id.optional(), name: personName.optional() };

export const spokenCommandSchemas = [
  z.object({ type: z.literal('meeting:setFormat'), format: z.enum(MEETING_FORMATS) }).strict(),
  z.object({ type: z.literal('intake:open') }).strict(),
  z.object({ type: z.literal('intake:close') }).strict(),
  z
    .object({
      type: z.literal('intake:volunteer'),
      label: z.string().trim().max(INTAKE_LABEL_MAX).optional(),
    })
    .strict(),
  z.object({ type: z.literal('intake:withdraw') }).strict(),
  z
    .object({ type: z.literal('intake:add'), ...seatOrName })
    .strict()
    .refine(oneOf, 'give a seatId or a name'),
  z
    .object({ type: z.literal('intake:pick'), volunteerId: id, caseIndex: z.number().int().min(0).max(1) })
    .strict(),
  z.object({ type: z.literal('intake:remove'), volunteerId: id }).strict(),
  z.object({ type: z.literal('intake:showLabels'), shown: z.boolean() }).strict(),
  z.object({ type: z.literal('hands:enable'), enabled: z.boolean() }).strict(),
  z.object({ type: z.literal('hand:raise') }).strict(),
  z.object({ type: z.literal('hand:lower') }).strict(),
  z.object({ type: z.literal('hands:next') }).strict(),
  z.object({ type: z.literal('hands:clear') }).strict(),
  z.object({ type: z.literal('seating:set'), seatIds: z.array(id).max(MAX_SEATING) }).strict(),
  z
    .object({
      type: z.literal('round:start'),
      order: z.enum(ROUND_ORDERS),
      /** A soft time per speaker, or null (the default). */
      turnSeconds: z.number().int().min(10).max(600).nullable(),
      turnTimeFor: z.enum(['leaders', 'speaker']),
      /** Observers, leaders or the projector a leader adds; participants are in anyway. */
      addSeatIds: z.array(id).max(MAX_ROUND_EXTRAS),
      /** Name-only entries for members without a device. */
      addNames: z.array(personName).max(MAX_ROUND_EXTRAS),
    })
    .strict(),
  z
    .object({ type: z.literal('round:add'), ...seatOrName })
    .strict()
    .refine(oneOf, 'give a seatId or a name'),
  z.object({ type: z.literal('round:next') }).strict(),
  z.object({ type: z.literal('round:pass') }).strict(),
  z.object({ type: z.literal('round:end') }).strict(),
] as const;

export type SpokenCommand = z.infer<(typeof spokenCommandSchemas)[number]>;

const SPOKEN_TYPES: ReadonlySet<string> = new Set(spokenCommandSchemas.map((s) => s.shape.type.value));

export function isSpokenCommand(c: { type: string }): c is SpokenCommand {
  return SPOKEN_TYPES.has(c.type);
}
