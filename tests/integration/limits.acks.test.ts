/**
 * The ack rules (SPEC.md LIMIT-9): the ack is the last argument whenever it is a function; every
 * event that carries an ack gets exactly one answer (`bad-request` for a wrong argument count);
 * one without an ack is ignored. Every client event with 0 to 3 arguments, through
 * socket.io-client and as raw Socket.IO packets on the engine.io connection.
 */
import { describe, expect, it } from 'vitest';
import { ERROR_CODES as E } from '../../shared/errors';
import { startBoardCast, startBoardServer, guarded, type RecordingClient } from '../helpers/board-fixture';
import type { UntypedSocket } from '../helpers/server-fixture';

/** Every client event and how many arguments it takes before its ack. */
const EVENTS: [string, number][] = [
  ['meeting:command', 1],
  ['time:ping', 0],
  ['note:add', 1],
  ['note:edit', 1],
  ['note:delete', 1],
  ['note:mine', 1],
  ['note:moderate', 1],
  ['note:resonate', 1],
  ['board:release', 1],
  ['board:export', 1],
];

/** Sends `packet` (a Socket.IO packet without the engine.io `4`) and resolves with the ack packet of `id`. */
function rawAck(client: RecordingClient, packet: string, id: number): Promise<string> {
  const before = client.packets.length;
  const engine = client.socket.io.engine;
  return guarded(`ack ${id} of ${packet}`, (resolve) => {
    const seen = () => {
      const hit = client.packets.slice(before).find((p) => p.startsWith(`3${id}[`));
      if (!hit) return;
      engine.off('packet', seen);
      resolve(hit);
    };
    engine.on('packet', seen);
    engine.send(packet);
  });
}

describe('acks (LIMIT-9)', () => {
  it('LIMIT-9: every event with 0, 1, 2 and 3 arguments and an ack gets exactly one answer', async () => {
    const fx = await startBoardServer({ unlimited: true });
    const cast = await startBoardCast(fx, {}, 1);
    const leader = cast.leader;
    const raw = leader.socket as unknown as UntypedSocket;
    for (const [event, takes] of EVENTS) {
      for (let count = 0; count <= 3; count++) {
        const args = Array.from({ length: count }, () => ({}));
        const before = leader.packets.filter((p) => p.startsWith('3')).length;
        const answer = (await raw.timeout(5_000).emitWithAck(event, ...args)) as unknown;
        await leader.barrier();
        const acks = leader.packets.filter((p) => p.startsWith('3')).length - before;
        expect(acks, `${event} with ${count}: one answer (and the barrier's)`).toBe(2);
        if (count !== takes) {
          expect(answer, `${event} with ${count}`).toMatchObject({
            ok: false,
            error: { code: E.BAD_REQUEST },
          });
        } else if (event === 'time:ping') {
          expect(typeof answer).toBe('number');
        } else {
          expect(answer, `${event} with ${count}`).toHaveProperty('ok');
        }
      }
    }
  });

  it('LIMIT-9: raw packets: an ack id gets one answer, no ack id gets none, unknown events too', async () => {
    const fx = await startBoardServer({ unlimited: true });
    const cast = await startBoardCast(fx, {}, 1);
    const leader = cast.leader;
    let id = 9_000;
    for (const [event, takes] of EVENTS) {
      for (let count = 0; count <= 3; count++) {
        const body = JSON.stringify([event, ...Array.from({ length: count }, () => ({}))]);
        id += 1;
        const ack = JSON.parse(
          (await rawAck(leader, `2${id}${body}`, id)).slice(String(id).length + 1),
        ) as unknown[];
        if (count !== takes)
          expect(ack[0], `${body}`).toMatchObject({ ok: false, error: { code: E.BAD_REQUEST } });
        else expect(ack[0], `${body}`).toBeDefined();
        expect(leader.packets.filter((p) => p.startsWith(`3${id}[`))).toHaveLength(1);
      }
    }
    // Without an ack id nothing is answered, and nothing is applied.
    const acksBefore = leader.packets.filter((p) => p.startsWith('3')).length;
    leader.socket.io.engine.send('2["meeting:command"]');
    leader.socket.io.engine.send(
      `2["meeting:command",{"commandId":"no-ack-cmd-1","command":{"type":"meeting:start"}}]`,
    );
    leader.socket.io.engine.send('2["time:ping",{}]');
    leader.socket.io.engine.send('2["no:such:event"]');
    await leader.barrier();
    expect(leader.packets.filter((p) => p.startsWith('3')).length - acksBefore).toBe(1);
    expect(fx.app.hub.state(cast.meetingId)?.status).toBe('lobby');
    // An unknown event with an ack is answered bad-request.
    const unknown = await rawAck(leader, `2${(id += 1)}["no:such:event",{}]`, id);
    expect(unknown).toContain(E.BAD_REQUEST);
  });
});
