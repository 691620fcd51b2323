/**
 * Malformed Socket.IO payloads on the real server: each is refused with 'bad-request' (when the
 * sender gave an ack) and changes nothing; the server keeps serving everyone afterwards.
 */
import { describe, expect, it } from 'vitest';
import { nextEvent, startCast, startServer, type Cast, type UntypedSocket } from '../helpers/server-fixture';

/** JSON.parse makes `__proto__` an own key, exactly as the server's parser does with the wire text. */
const withOwnKey = (json: string): unknown => JSON.parse(json);
const ID = 'cmd-00000001';

function malformedEnvelopes(cast: Cast): [string, unknown][] {
  const phaseId = cast.leader.view.phases[1]?.id ?? 'p2';
  const huge = 'x'.repeat(60_000);
  return [
    // Not an object at all.
    ['a string', 'meeting:start'],
    ['a number', 42],
    ['null', null],
    ['true', true],
    ['an empty array', []],
    ['an array holding a valid envelope', [{ commandId: ID, command: { type: 'timer:pause' } }]],
    // Missing fields.
    ['an empty object', {}],
    ['no command', { commandId: ID }],
    ['no commandId', { command: { type: 'timer:pause' } }],
    ['no command type', { commandId: ID, command: {} }],
    ['timer:adjust without minutes', { commandId: ID, command: { type: 'timer:adjust' } }],
    ['phase:jump without phaseId', { commandId: ID, command: { type: 'phase:jump' } }],
    ['presenter:set without caseIndex', { commandId: ID, command: { type: 'presenter:set', seatId: null } }],
    // Wrong types and values.
    ['a numeric commandId', { commandId: 12345678, command: { type: 'timer:pause' } }],
    ['a short commandId', { commandId: 'abc', command: { type: 'timer:pause' } }],
    ['a command that is a string', { commandId: ID, command: 'timer:pause' }],
    ['minutes as a string', { commandId: ID, command: { type: 'timer:adjust', minutes: '5' } }],
    ['fractional minutes', { commandId: ID, command: { type: 'timer:adjust', minutes: 1.5 } }],
    ['zero minutes', { commandId: ID, command: { type: 'timer:adjust', minutes: 0 } }],
    ['minutes out of range', { commandId: ID, command: { type: 'timer:adjust', minutes: 100_000 } }],
    ['minutes NaN (null on the wire)', { commandId: ID, command: { type: 'timer:adjust', minutes: NaN } }],
    ['a duration of 0', { commandId: ID, command: { type: 'phase:setDuration', phaseId, minutes: 0 } }],
    ['locked as a string', { commandId: ID, command: { type: 'settings:update', locked: 'yes' } }],
    ['a numeric seatId', { commandId: ID, command: { type: 'seat:remove', seatId: 7 } }],
    ['an unknown role', { commandId: ID, command: { type: 'seat:setRole', seatId: 'abc', role: 'leader' } }],
    ['a third case', { commandId: ID, command: { type: 'presenter:set', caseIndex: 5, seatId: null } }],
    ['an empty title', { commandId: ID, command: { type: 'settings:update', title: '   ' } }],
    // Unknown and server-only command types.
    ['an unknown type', { commandId: ID, command: { type: 'meeting:explode' } }],
    ['the server-only clock:tick', { commandId: ID, command: { type: 'clock:tick' } }],
    [
      'the server-only seat:join',
      { commandId: ID, command: { type: 'seat:join', seatId: 'x', role: 'participant', name: 'Eve' } },
    ],
    // Extra keys, prototype keys.
    ['an extra key in the command', { commandId: ID, command: { type: 'timer:pause', force: true } }],
    ['an extra key in the envelope', { commandId: ID, command: { type: 'timer:pause' }, seatId: 'x' }],
    [
      '__proto__ in the command',
      withOwnKey(`{"commandId":"${ID}","command":{"type":"timer:pause","__proto__":{"polluted":1}}}`),
    ],
    [
      '__proto__ in the envelope',
      withOwnKey(`{"commandId":"${ID}","command":{"type":"timer:pause"},"__proto__":{"polluted":1}}`),
    ],
    [
      'constructor in the command',
      withOwnKey(
        `{"commandId":"${ID}","command":{"type":"timer:pause","constructor":{"prototype":{"polluted":1}}}}`,
      ),
    ],
    [
      'prototype in the envelope',
      withOwnKey(`{"commandId":"${ID}","command":{"type":"timer:pause"},"prototype":{"polluted":1}}`),
    ],
    [
      '__proto__ in settings',
      withOwnKey(`{"commandId":"${ID}","command":{"type":"settings:update","__proto__":{"locked":true}}}`),
    ],
    // Huge strings (below the transport's size limit, so they reach the validation).
    ['a huge commandId', { commandId: huge, command: { type: 'timer:pause' } }],
    ['a huge title', { commandId: ID, command: { type: 'settings:update', title: huge } }],
    ['a huge phaseId', { commandId: ID, command: { type: 'phase:jump', phaseId: huge } }],
    ['a huge type', { commandId: ID, command: { type: huge } }],
  ];
}

async function runningCast(): Promise<Cast> {
  const fx = await startServer({ unlimited: true });
  const cast = await startCast(fx);
  expect(await cast.leader.command({ type: 'meeting:start' })).toEqual({ ok: true });
  await Promise.all(cast.everyone.map((c) => c.barrier()));
  return cast;
}

/** Runs `attack`, then checks that nothing changed and that the server still serves everyone. */
async function changesNothing(
  cast: Cast,
  attack: () => Promise<void>,
  opts: { presenceChanges?: boolean } = {},
): Promise<void> {
  const hub = cast.fx.app.hub;
  const before = structuredClone(hub.state(cast.meeting.meetingId));
  const counts = cast.everyone.map((c) => c.states.length);
  await attack();
  expect(hub.state(cast.meeting.meetingId)).toEqual(before);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(({} as Record<string, unknown>).locked).toBeUndefined();
  const others = cast.everyone.filter((c) => c.socket.connected);
  await Promise.all(others.map((c) => c.barrier()));
  if (!opts.presenceChanges) {
    for (const c of others) {
      expect(c.states.length, `${c.label} got a snapshot`).toBe(counts[cast.everyone.indexOf(c)]);
    }
  }
  // Still serving: a valid command is applied and reaches everyone.
  const seen = others.map((c) => c.nextState((v) => v.title === 'Still here'));
  expect(await cast.leader.command({ type: 'settings:update', title: 'Still here' })).toEqual({ ok: true });
  await Promise.all(seen);
}

describe('malformed meeting commands (API-10, MEET-9)', () => {
  it('API-10, MEET-9, ROLE-2: refuses every malformed envelope with bad-request, from a leader, and changes nothing', async () => {
    const cast = await runningCast();
    await changesNothing(cast, async () => {
      for (const [what, payload] of malformedEnvelopes(cast)) {
        const ack = await cast.leader.sendRaw('meeting:command', payload);
        expect(ack, what).toMatchObject({
          ok: false,
          error: { code: 'bad-request', message: expect.any(String) },
        });
      }
    });
  });

  it('API-10: refuses them from a participant with bad-request too (validation comes first)', async () => {
    const cast = await runningCast();
    await changesNothing(cast, async () => {
      for (const [what, payload] of malformedEnvelopes(cast).slice(0, 12)) {
        expect(await cast.alice.sendRaw('meeting:command', payload), what).toMatchObject({
          ok: false,
          error: { code: 'bad-request' },
        });
      }
    });
  });

  it('API-10: applies nothing sent without an ack callback, and answers nothing', async () => {
    const cast = await runningCast();
    const raw = cast.leader.socket as unknown as UntypedSocket;
    await changesNothing(cast, async () => {
      // Valid commands, but nobody could ever learn their outcome: not applied.
      raw.emit('meeting:command', {
        commandId: 'no-ack-0001',
        command: { type: 'timer:adjust', minutes: 5 },
      });
      raw.emit(
        'meeting:command',
        { commandId: 'no-ack-0002', command: { type: 'timer:pause' } },
        'not a function',
      );
      raw.emit('meeting:command');
      raw.emit('meeting:command', null);
      raw.emit('time:ping');
      raw.emit('time:ping', 'not a function');
      await cast.leader.barrier();
    });
    expect(await cast.leader.command({ type: 'timer:pause' }, 'no-ack-0002')).toEqual({ ok: true });
  });

  it('API-10: ignores events it does not know, with or without an ack', async () => {
    const cast = await runningCast();
    const raw = cast.alice.socket as unknown as UntypedSocket;
    await changesNothing(cast, async () => {
      raw.emit('meeting:hack', { commandId: ID, command: { type: 'meeting:end' } });
      raw.emit('__proto__', { polluted: 1 });
      raw.emit('constructor');
      await cast.alice.barrier();
    });
  });

  it('API-10: closes a connection whose message exceeds the size limit, and serves the others', async () => {
    const cast = await runningCast();
    const bob = cast.bob;
    await changesNothing(
      cast,
      async () => {
        const closed = nextEvent<[string]>(bob.socket, 'disconnect');
        (bob.socket as unknown as UntypedSocket).emit(
          'meeting:command',
          { commandId: ID, command: { type: 'settings:update', title: 'y'.repeat(200_000) } },
          () => {},
        );
        const [reason] = await closed;
        expect(reason).toMatch(/transport (close|error)/);
        // The others learn that Bob left, and nothing else.
        await cast.leader.waitFor((v) => v.seats?.find((s) => s.id === bob.seatId)?.connected === false);
      },
      { presenceChanges: true },
    );
    expect(bob.socket.connected).toBe(false);
  });
});
