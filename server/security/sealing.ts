import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

/**
 * Each meeting's content under a key of its own (issue 14, CONF-4 on PostgreSQL): AES-256-GCM
 * from `node:crypto`, a fresh random 96-bit IV for every encryption, and the row's identity as
 * additional data, so that a sealed value copied into another row (another meeting, note or
 * column) does not open there. Destroying the key makes every copy unreadable: WAL, replicas,
 * backups and Redis streams keep only sealed bytes.
 *
 * A sealed value: one format byte, the IV, the 16-byte tag, then the ciphertext.
 */
export const KEY_BYTES = 32;
const FORMAT = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + IV_BYTES + TAG_BYTES;

export function newMeetingKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

function checkKey(key: Uint8Array): void {
  if (key.byteLength !== KEY_BYTES) throw new Error(`a meeting key has ${KEY_BYTES} bytes`);
}

/** Seals `plain` (bytes, or text as UTF-8) for the row named by `identity`. */
export function seal(key: Uint8Array, plain: Uint8Array | string, identity: string): Buffer {
  checkKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(identity, 'utf8'));
  const body = Buffer.concat([
    cipher.update(typeof plain === 'string' ? Buffer.from(plain, 'utf8') : plain),
    cipher.final(),
  ]);
  return Buffer.concat([Buffer.from([FORMAT]), iv, cipher.getAuthTag(), body]);
}

/**
 * Opens what `seal` made for the same identity with the same key. Throws on anything else: a
 * wrong key, another row's value, a changed byte, an unknown format.
 */
export function unseal(key: Uint8Array, sealed: Uint8Array, identity: string): Buffer {
  checkKey(key);
  const bytes = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  if (bytes.length < HEADER_BYTES || bytes[0] !== FORMAT) throw new Error('not a sealed value');
  const iv = bytes.subarray(1, 1 + IV_BYTES);
  const tag = bytes.subarray(1 + IV_BYTES, HEADER_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(identity, 'utf8'));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(bytes.subarray(HEADER_BYTES)), decipher.final()]);
}

export function unsealText(key: Uint8Array, sealed: Uint8Array, identity: string): string {
  return unseal(key, sealed, identity).toString('utf8');
}

/**
 * A token's or note secret's stored form under a meeting's key: HMAC-SHA256, hex. Without the key
 * a stored MAC cannot be tested against guesses; once the key is destroyed, not even with the
 * token.
 */
export function keyedHash(key: Uint8Array, secret: string): string {
  checkKey(key);
  return createHmac('sha256', key).update(secret, 'utf8').digest('hex');
}
