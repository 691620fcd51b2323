import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 128 bits or more, URL-safe. */
export function newToken(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}

/** Random ids that carry no time or order (unlike UUIDv7 or counters). */
export function newId(bytes = 12): string {
  return randomBytes(bytes).toString('base64url');
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Constant-time comparison of two hex hashes. */
export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

/** Crockford-style alphabet without I, L, O, U: easy to read aloud and type on a phone. */
const JOIN_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const JOIN_CODE_CHARS = 10; // 50 bits

/** A join code like "7KQ2M-X9RTA". */
export function newJoinCode(): string {
  const bytes = randomBytes(JOIN_CODE_CHARS);
  let code = '';
  for (let i = 0; i < JOIN_CODE_CHARS; i++) code += JOIN_ALPHABET[(bytes[i] as number) & 31];
  return `${code.slice(0, 5)}-${code.slice(5)}`;
}

/** Accepts what people type: lower case, spaces, missing dash, O for 0, I/L for 1. */
export function normalizeJoinCode(input: string): string | null {
  const raw = input.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  if (raw.length !== JOIN_CODE_CHARS || [...raw].some((c) => !JOIN_ALPHABET.includes(c))) return null;
  return `${raw.slice(0, 5)}-${raw.slice(5)}`;
}
