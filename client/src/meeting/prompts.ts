import { SHIPPED_PROMPT_IDS, type ShippedPromptId } from '../../../shared/meeting/promptIds';
import type { PromptRef } from '../../../shared/meeting/promptSchema';
import type { MessageKey, Translate } from '../i18n';

/** Each shipped prompt's catalogue key; the record makes the compiler ask for every id. */
export const SHIPPED_PROMPT_KEYS: Record<ShippedPromptId, MessageKey> = {
  'be-patient': 'prompt.be-patient',
  'be-doctor': 'prompt.be-doctor',
  'doctor-feels-call': 'prompt.doctor-feels-call',
  'who-else-in-room': 'prompt.who-else-in-room',
  'patient-wants': 'prompt.patient-wants',
  'doctor-not-allowed': 'prompt.doctor-not-allowed',
  'what-missing': 'prompt.what-missing',
  'if-film': 'prompt.if-film',
  'doctor-wants': 'prompt.doctor-wants',
  'relationship-image': 'prompt.relationship-image',
  'patient-fears': 'prompt.patient-fears',
  'why-this-case': 'prompt.why-this-case',
};

export const SHIPPED_PROMPTS: readonly ShippedPromptId[] = SHIPPED_PROMPT_IDS;

/** A shipped prompt in this screen's language; a leader's own as written. */
export function promptText(prompt: PromptRef, t: Translate): string {
  return prompt.kind === 'shipped' ? t(SHIPPED_PROMPT_KEYS[prompt.id]) : prompt.text;
}
