import { z } from 'zod';
import { PROMPT_TEXT_MAX, SHIPPED_PROMPT_IDS } from './promptIds';

/**
 * The shape of prompts during push-back (SPEC.md PROMPT-n), apart from their rules
 * (`prompts.ts`) so that the meeting state can name it without an import cycle. Shipped prompts
 * travel as an id, so each screen shows them in its own language; a leader's own prompts are text
 * kept in the meeting state, which dies with the meeting.
 */
const promptText = z
  .string()
  .max(PROMPT_TEXT_MAX * 4)
  .transform((t) => t.trim())
  .pipe(
    z
      .string()
      .min(1, 'empty prompt')
      .max(PROMPT_TEXT_MAX, `at most ${PROMPT_TEXT_MAX} characters`)
      // eslint-disable-next-line no-control-regex
      .refine((t) => !/[\u0000-\u001f\u007f]/.test(t), 'control characters'),
  );

const promptRef = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('shipped'), id: z.enum(SHIPPED_PROMPT_IDS) }).strict(),
  z.object({ kind: z.literal('own'), text: promptText }).strict(),
]);
export type PromptRef = z.infer<typeof promptRef>;

/** The prompt commands' wire schemas, spread into `meetingCommandSchema`. */
export const PROMPT_COMMAND_SCHEMAS = [
  z.object({ type: z.literal('prompt:show'), prompt: promptRef }).strict(),
  z.object({ type: z.literal('prompt:clear') }).strict(),
  /** Keep one of the leader's own prompts for this meeting without showing it (to prepare). */
  z.object({ type: z.literal('prompt:save'), text: promptText }).strict(),
  z.object({ type: z.literal('prompt:forget'), text: promptText }).strict(),
] as const;
export type PromptCommand = z.infer<(typeof PROMPT_COMMAND_SCHEMAS)[number]>;

export interface PromptsState {
  /** On every screen now, or null. */
  shown: PromptRef | null;
  /** The leaders' own prompts for this meeting, in the order first written. */
  own: string[];
}
