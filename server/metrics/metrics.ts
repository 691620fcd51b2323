import type { Duplex } from 'node:stream';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Counter, Gauge, Registry } from 'prom-client';
import { ERROR_CODES, type ErrorCode } from '../../shared/errors';
import type { ClientToServerEvents } from '../../shared/protocol';
import type { MeetingHub } from '../core/hub';
import type { AppSocket } from '../socket/types';
import type { AsyncStorage } from '../storage/async/types';

/**
 * Label values are closed sets: the protocol's event names and the error-code table. Anything
 * else a client sends is counted as `other`, so a client cannot grow the series without bound,
 * and no id, code or name ever becomes a label.
 */
const EVENTS = [
  'meeting:command',
  'time:ping',
  'note:add',
  'note:edit',
  'note:delete',
  'note:mine',
  'note:moderate',
  'note:resonate',
  'board:release',
  'board:export',
] as const satisfies readonly (keyof ClientToServerEvents)[];
const KNOWN_EVENTS: ReadonlySet<string> = new Set(EVENTS);
const KNOWN_CODES: ReadonlySet<string> = new Set(Object.values(ERROR_CODES));

/** The event-loop delay histogram's resolution: fine enough for a 10 ms budget, cheap to sample. */
const EVENT_LOOP_RESOLUTION_MS = 20;
const NS_PER_S = 1e9;

export interface MetricsDeps {
  hub: MeetingHub;
  storage: AsyncStorage;
  socketConnections: () => number;
}

export interface AppMetrics {
  registry: Registry;
  /** Counts a socket's events, and its acks' refusals and added notes. */
  watchSocket(socket: AppSocket): void;
  /** An upgraded board connection, counted until its socket closes. */
  boardSocketOpened(socket: Duplex): void;
  /** An HTTP answer with an error code. */
  httpRefused(code: string): void;
  close(): void;
}

/** One registry per app: tests build many apps in one process, and none shares the global one. */
export function createMetrics(deps: MetricsDeps): AppMetrics {
  const registry = new Registry();
  const boardSockets = new Set<Duplex>();
  /** Meetings purged from memory whose rows the storage still holds (a failed purge). */
  const purgesPending = new Set<string>();
  const loopDelay = monitorEventLoopDelay({ resolution: EVENT_LOOP_RESOLUTION_MS });
  loopDelay.enable();

  deps.hub.onPurge(async (meetingId) => {
    let stored: boolean;
    try {
      stored = (await deps.storage.projectorKeyHash(meetingId)) !== null;
    } catch {
      stored = true;
    }
    if (stored) purgesPending.add(meetingId);
  });

  new Gauge({
    name: 'balint_meetings_live',
    help: 'Meetings loaded in this process (not ended).',
    registers: [registry],
    collect() {
      this.set(deps.hub.meetingIds().length);
    },
  });
  new Gauge({
    name: 'balint_socketio_connections',
    help: 'Open Socket.IO connections.',
    registers: [registry],
    collect() {
      this.set(deps.socketConnections());
    },
  });
  new Gauge({
    name: 'balint_board_connections',
    help: 'Open board (y-websocket) connections.',
    registers: [registry],
    collect() {
      this.set(boardSockets.size);
    },
  });
  new Gauge({
    name: 'balint_purges_pending',
    help: 'Meetings ended in memory whose stored rows could not be deleted yet (purged at the next start).',
    registers: [registry],
    collect() {
      this.set(purgesPending.size);
    },
  });
  const events = new Counter({
    name: 'balint_commands_total',
    help: 'Socket.IO commands received, by event.',
    labelNames: ['event'] as const,
    registers: [registry],
  });
  const notes = new Counter({
    name: 'balint_notes_added_total',
    help: 'Notes accepted (note:add acknowledged with ok).',
    registers: [registry],
  });
  const refusals = new Counter({
    name: 'balint_refusals_total',
    help: 'Commands and requests refused, by error code and channel.',
    labelNames: ['code', 'channel'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'balint_event_loop_delay_seconds',
    help: 'Event-loop delay since the previous scrape, by quantile.',
    labelNames: ['quantile'] as const,
    registers: [registry],
    collect() {
      for (const q of [0.5, 0.9, 0.99])
        this.set({ quantile: String(q) }, loopDelay.percentile(q * 100) / NS_PER_S);
      this.set({ quantile: '1' }, loopDelay.max / NS_PER_S);
      loopDelay.reset();
    },
  });
  new Gauge({
    name: 'balint_process_memory_bytes',
    help: 'Process memory, by kind (rss, heap_used, heap_total, external, array_buffers).',
    labelNames: ['kind'] as const,
    registers: [registry],
    collect() {
      const m = process.memoryUsage();
      this.set({ kind: 'rss' }, m.rss);
      this.set({ kind: 'heap_used' }, m.heapUsed);
      this.set({ kind: 'heap_total' }, m.heapTotal);
      this.set({ kind: 'external' }, m.external);
      this.set({ kind: 'array_buffers' }, m.arrayBuffers);
    },
  });

  const refused = (code: string, channel: 'socket' | 'http') =>
    refusals.inc({ code: KNOWN_CODES.has(code) ? (code as ErrorCode) : 'other', channel });

  return {
    registry,
    watchSocket(socket) {
      socket.use((packet, next) => {
        const event = String(packet[0]);
        const known = KNOWN_EVENTS.has(event);
        events.inc({ event: known ? event : 'other' });
        const last = packet.length - 1;
        const ack = packet[last] as unknown;
        if (last > 0 && typeof ack === 'function') {
          // The same array is dispatched after the middlewares: the handler answers through this.
          packet[last] = (result: unknown) => {
            const r = result as { ok?: unknown; error?: { code?: unknown } } | null;
            if (r && r.ok === false) refused(String(r.error?.code), 'socket');
            else if (r && r.ok === true && event === 'note:add') notes.inc();
            (ack as (r: unknown) => void)(result);
          };
        }
        next();
      });
    },
    boardSocketOpened(socket) {
      if (socket.destroyed) return;
      boardSockets.add(socket);
      socket.once('close', () => boardSockets.delete(socket));
    },
    httpRefused(code) {
      refused(code, 'http');
    },
    close() {
      loopDelay.disable();
      boardSockets.clear();
    },
  };
}
