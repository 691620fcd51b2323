/**
 * Gentle checks before a note is sent: it may hold a patient identifier, or sound like advice.
 * They only nudge; the author decides. Kept deliberately simple and multilingual (EN/DE/EL).
 */
export type Nudge = 'identifier' | 'advice';

const DATE = /\b\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b|\b\d{4}-\d{2}-\d{2}\b/;
const RECORD_NUMBER = /\d{5,}/;
const TITLE_AND_NAME = /(?<!\p{L})(Mr|Mrs|Ms|Dr|Herr|Frau|κ|κος|κα)\.?\s+\p{Lu}\p{Ll}+/u;
// `\b` knows only ASCII letters; look-arounds on \p{L} work for Greek too.
const ADVICE =
  /(?<!\p{L})(you should|you must|you need to|why don't you|have you tried|du solltest|sie sollten|du musst|sie müssen|versuch doch|πρέπει να|θα έπρεπε|γιατί δεν)(?!\p{L})/iu;

export function noteNudges(text: string): Nudge[] {
  const found: Nudge[] = [];
  if (DATE.test(text) || RECORD_NUMBER.test(text) || TITLE_AND_NAME.test(text)) found.push('identifier');
  if (ADVICE.test(text)) found.push('advice');
  return found;
}
