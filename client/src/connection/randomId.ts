/**
 * Random hex from `crypto.getRandomValues`, which exists on plain-HTTP LAN pages too
 * (`crypto.randomUUID` and `crypto.subtle` do not: phones joining http://192.168.… are not a
 * secure context).
 */
export function randomHex(bytes: number): string {
  const buf = new Uint8Array(bytes);
  crypto.getRandomValues(buf);
  let out = '';
  for (const b of buf) out += b.toString(16).padStart(2, '0');
  return out;
}

/** A command id: 128 bits, so a retry is recognised and two clients never collide. */
export const newCommandId = (): string => randomHex(16);
/** The per-note secret only the author's browser keeps (128 bits, hex). */
export const newNoteSecret = (): string => randomHex(16);
