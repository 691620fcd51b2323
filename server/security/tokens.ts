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

/** The secret part of a seat token: `newToken()`'s 24 bytes, 32 characters of base64url. */
const SEAT_SECRET_CHARS = 32;
const TOKEN_CHARS = /^[A-Za-z0-9_-]+$/;

/**
 * A seat token that names its meeting: the meeting's id, then 24 random bytes (CONF-4). On
 * PostgreSQL a token's stored form is an HMAC under its meeting's key, so the storage must know
 * the meeting before it can look the token up; the token itself tells it, with no change to any
 * client or to the handshake. The id is no secret (it is in every meeting URL), and base64url has
 * no separator to spare (the follow-up routes' bearer check and the board's subprotocol list take
 * exactly its characters), so the secret is the fixed-length tail.
 */
export function newSeatToken(meetingId: string): string {
  return `${meetingId}${newToken()}`;
}

/** The meeting a seat token names, or null for a token without one (or not a token at all). */
export function tokenMeeting(token: string): string | null {
  if (token.length <= SEAT_SECRET_CHARS || token.length > 200 || !TOKEN_CHARS.test(token)) return null;
  return token.slice(0, token.length - SEAT_SECRET_CHARS);
}
