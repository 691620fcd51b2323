/**
 * Prompt ids and bounds without zod, so that the phone's bundle can name them (ARCHITECTURE.md:
 * zod stays out of what a phone downloads). Shipped prompts travel as an id; each screen words
 * them in its own language (client/src/meeting/prompts.ts).
 */
export const SHIPPED_PROMPT_IDS = [
  'be-patient',
  'be-doctor',
  'doctor-feels-call',
  'who-else-in-room',
  'patient-wants',
  'doctor-not-allowed',
  'what-missing',
  'if-film',
  'doctor-wants',
  'relationship-image',
  'patient-fears',
  'why-this-case',
] as const;
export type ShippedPromptId = (typeof SHIPPED_PROMPT_IDS)[number];

export const PROMPT_TEXT_MAX = 200;
/** A leader's own prompts per meeting: enough for a session, a bound against floods. */
export const MAX_OWN_PROMPTS = 20;
