/**
 * Bounds on awareness (WIRE-5, WIRE-6). An awareness state is JSON that the server re-encodes
 * when it relays it: a state nested a few thousand levels deep overflows the stack there (a 1011
 * the stock client answers by reconnecting and resending, in a loop). So every state is bounded
 * before it is parsed, and a leader's state, the only kind relayed, must have the console's shape.
 */

/** Entries in one awareness update: a stock client resends every state it knows at once. */
export const MAX_AWARENESS_ENTRIES = 64;
/** One entry's state, as JSON text (UTF-16 code units, which bound its UTF-8 bytes by 3x). */
export const MAX_AWARENESS_STATE_CHARS = 1_024;
/** Nesting of objects and arrays in one state. */
export const MAX_AWARENESS_DEPTH = 8;

/** Why a state's JSON text is outside the bounds, or null. Runs before `JSON.parse`. */
export function awarenessTextProblem(json: string): string | null {
  if (json.length > MAX_AWARENESS_STATE_CHARS) {
    return `awareness state over ${MAX_AWARENESS_STATE_CHARS} characters`;
  }
  let depth = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const ch = json[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '{' || ch === '[') {
      depth++;
      if (depth > MAX_AWARENESS_DEPTH) return `awareness state nested over ${MAX_AWARENESS_DEPTH} levels`;
    } else if (ch === '}' || ch === ']') depth--;
  }
  return null;
}

/**
 * The console sets no awareness state of its own (client/src/connection/board.ts sets it to
 * null), and a stock provider starts with `{}`: a leader may send exactly these. Anything else
 * would be relayed to every screen, so it is refused rather than dropped (WIRE-6).
 */
export function isAllowedLeaderState(state: unknown): boolean {
  if (state === null) return true;
  return typeof state === 'object' && !Array.isArray(state) && Object.keys(state).length === 0;
}
