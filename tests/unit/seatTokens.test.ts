/**
 * Seat tokens that name their meeting (CONF-4): on PostgreSQL a token's stored form is an HMAC
 * under its meeting's key, so the storage reads the meeting from the token before it looks it up.
 */
import { describe, expect, it } from 'vitest';
import { newId, newSeatToken, newToken, tokenMeeting } from '../../server/security/tokens';

describe('seat tokens (CONF-4)', () => {
  it('CONF-4: a seat token names its meeting, keeps 192 random bits, and uses only the characters every carrier takes', () => {
    const meetingId = newId();
    const token = newSeatToken(meetingId);
    expect(tokenMeeting(token)).toBe(meetingId);
    // The bearer check of the follow-up routes and the board's subprotocol list take these only.
    expect(token).toMatch(/^[A-Za-z0-9_-]{16,200}$/);
    expect(token.slice(meetingId.length)).toHaveLength(32);
    expect(newSeatToken(meetingId)).not.toBe(token);
    // Meeting ids of any length the board's path allows.
    expect(tokenMeeting(newSeatToken('m1'))).toBe('m1');
  });

  it('CONF-4: a token without a meeting, or not a token, names none', () => {
    expect(tokenMeeting(newToken())).toBeNull();
    expect(tokenMeeting('')).toBeNull();
    expect(tokenMeeting(`${'a'.repeat(20)}.${newToken()}`)).toBeNull();
    expect(tokenMeeting('x'.repeat(201))).toBeNull();
  });
});
