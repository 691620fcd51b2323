import { ERROR_CODES as E, type CommandError } from '../errors';
import type { MeetingState } from './state';
import { MAX_OWN_PROMPTS } from './promptIds';
import type { PromptCommand, PromptsState } from './promptSchema';

/**
 * The rules of prompts during push-back (SPEC.md PROMPT-n): a leader puts one question at a time
 * on every screen and the projector, and clears it. The shape is in `promptSchema.ts`.
 */

/** Meetings stored before prompts existed have no `prompts`: they read as none. */
export function promptsOf(s: MeetingState): PromptsState {
  return s.prompts ?? { shown: null, own: [] };
}

/** "Is this push-back?" The only phase a prompt may be shown in (PROMPT-1). */
export function canShowPrompt(s: MeetingState): boolean {
  if (s.status !== 'running' || !s.current) return false;
  return s.phases[s.current.index]?.kind === 'speculation';
}

/** AUTH is the permission table (leaders only); this is VALIDATION and RESOLUTION. */
export function applyPrompt(s: MeetingState, c: PromptCommand): CommandError | null {
  const p = structuredClone(promptsOf(s));
  switch (c.type) {
    case 'prompt:show': {
      if (!canShowPrompt(s)) return { code: E.WRONG_STATUS, message: 'prompts are shown during push-back' };
      if (c.prompt.kind === 'own') {
        const error = remember(p, c.prompt.text);
        if (error) return error;
      }
      p.shown = c.prompt;
      break;
    }
    case 'prompt:clear': {
      if (!p.shown) return { code: E.WRONG_STATUS, message: 'no prompt is shown' };
      p.shown = null;
      break;
    }
    case 'prompt:save': {
      const error = remember(p, c.text);
      if (error) return error;
      break;
    }
    case 'prompt:forget': {
      if (!p.own.includes(c.text)) return { code: E.BAD_REQUEST, message: 'no such prompt' };
      p.own = p.own.filter((t) => t !== c.text);
      // A forgotten prompt leaves the screens too: it is gone from the meeting.
      if (p.shown?.kind === 'own' && p.shown.text === c.text) p.shown = null;
      break;
    }
  }
  s.prompts = p;
  return null;
}

function remember(p: PromptsState, text: string): CommandError | null {
  if (p.own.includes(text)) return null;
  if (p.own.length >= MAX_OWN_PROMPTS)
    return { code: E.LIMIT_REACHED, message: `at most ${MAX_OWN_PROMPTS} own prompts` };
  p.own.push(text);
  return null;
}

/** PROMPT-3: a prompt belongs to its push-back; leaving the phase takes it off the screens. */
export function clearShownPrompt(s: MeetingState): void {
  if (s.prompts?.shown) s.prompts = { ...s.prompts, shown: null };
}

/** PROMPT-5: at the end nothing of a leader's own prompts stays in the state. */
export function forgetPrompts(s: MeetingState): void {
  if (s.prompts) delete s.prompts;
}
