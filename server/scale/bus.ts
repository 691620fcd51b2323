/**
 * Small notifications between the server processes of one deployment (SPEC.md SCALE-13), on
 * Redis publish/subscribe: "meeting M changed to version N", "meeting M was purged". They tell
 * a process to reload what it serves from storage; they never replace storage, so a lost
 * notification costs a reload, not data. Not wired into the hub yet (issue 14's next step).
 *
 * - Topics are ids (`meeting:<id>`), never content: a topic is a channel name in clear text.
 * - Payloads pass through the caller's sealing hook (`server/security/sealing.ts` under the
 *   meeting's key, with the topic as identity), since Redis may keep what crosses it.
 * - Publish/subscribe delivers nothing while a subscriber is disconnected. When the subscriber's
 *   connection comes back (a Redis restart, a network cut) the bus first subscribes again to
 *   every topic and then reports a gap to its listeners: whatever they hold may be stale, and a
 *   reload after the report misses nothing, since the subscriptions are already in place.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '../core/logger';

/** The caller's encryption of a payload; `open` returns null for bytes that do not open. */
export interface BusSealing {
  seal(topic: string, plain: Uint8Array): Uint8Array;
  open(topic: string, sealed: Uint8Array): Uint8Array | null;
}

/** The identity function: for payloads that carry nothing confidential (a version number). */
export const unsealed: BusSealing = {
  seal: (_topic, plain) => plain,
  open: (_topic, sealed) => sealed,
};

export interface BusDelivery {
  /** The payload as the publisher passed it (opened by the sealing hook). */
  payload: Uint8Array;
  /** Whether this process published it (Redis delivers a process's messages to itself too). */
  fromSelf: boolean;
}

export interface Bus {
  /**
   * Sends `payload` to every subscriber of `topic` in every process. Resolves false when Redis
   * did not take it (unreachable): the caller's subscribers elsewhere will see a gap instead.
   */
  publish(topic: string, payload: Uint8Array): Promise<boolean>;
  /** Resolves once the subscription is in place in Redis; the returned function ends it. */
  subscribe(topic: string, handler: (delivery: BusDelivery) => void): Promise<() => void>;
  /** Called after the subscriber reconnected: notifications may have been missed meanwhile. */
  onGap(listener: () => void): () => void;
  close(): Promise<void>;
}

export interface BusOptions {
  /** A connected client for publishing (the process's `commands` client: it fails fast). */
  publisher: Redis;
  sealing?: BusSealing;
  logger: Logger;
  /** Prefix of every channel (`balint:bus:` by default). */
  prefix?: string;
}

const TOPIC = /^[A-Za-z0-9:_-]{1,200}$/;
const FORMAT = 1;
const SENDER_BYTES = 8;

/** Opens the bus: a subscriber connection of its own, made from the publisher's settings. */
export async function openBus(opts: BusOptions): Promise<Bus> {
  const prefix = opts.prefix ?? 'balint:bus:';
  const sealing = opts.sealing ?? unsealed;
  const self = randomBytes(SENDER_BYTES);
  // A subscriber queues its SUBSCRIBE commands while disconnected and has no command time-out
  // (it only waits for messages); it subscribes again itself on reconnection (below).
  const subscriber = opts.publisher.duplicate({
    enableOfflineQueue: true,
    maxRetriesPerRequest: null,
    commandTimeout: undefined,
    autoResubscribe: false,
    lazyConnect: true,
  });
  const handlers = new Map<string, Set<(delivery: BusDelivery) => void>>();
  const gapListeners = new Set<() => void>();
  let lost = false;
  let closed = false;

  subscriber.on('error', (error: Error & { code?: string }) => {
    if (!lost) opts.logger.warn('bus.unreachable', { code: error.code ?? error.name });
    lost = true;
  });
  subscriber.on('close', () => {
    if (!closed) lost = true;
  });
  subscriber.on('ready', () => {
    if (!lost) return;
    const channels = [...handlers.keys()].map((t) => prefix + t);
    const again = channels.length > 0 ? subscriber.subscribe(...channels) : Promise.resolve(0);
    again.then(
      () => {
        lost = false;
        opts.logger.info('bus.gap', { topics: channels.length });
        for (const listener of gapListeners) listener();
      },
      // Lost again before the subscriptions were back: the next 'ready' tries again.
      () => {},
    );
  });
  subscriber.on('messageBuffer', (channel: Buffer, message: Buffer) => {
    const topic = channel.toString('utf8').slice(prefix.length);
    const listeners = handlers.get(topic);
    if (!listeners || message.length < 1 + SENDER_BYTES || message[0] !== FORMAT) return;
    const fromSelf = message.subarray(1, 1 + SENDER_BYTES).equals(self);
    const payload = sealing.open(topic, message.subarray(1 + SENDER_BYTES));
    if (payload === null) {
      opts.logger.warn('bus.unopened', {});
      return;
    }
    for (const handler of listeners) handler({ payload, fromSelf });
  });
  await subscriber.connect();

  return {
    async publish(topic, payload) {
      if (!TOPIC.test(topic)) throw new Error('a bus topic is made of ids: letters, digits, : _ -');
      const sealed = sealing.seal(topic, payload);
      const message = Buffer.concat([Buffer.from([FORMAT]), self, sealed]);
      try {
        await opts.publisher.publish(prefix + topic, message);
        return true;
      } catch {
        return false;
      }
    },
    async subscribe(topic, handler) {
      if (!TOPIC.test(topic)) throw new Error('a bus topic is made of ids: letters, digits, : _ -');
      let listeners = handlers.get(topic);
      if (!listeners) {
        listeners = new Set();
        handlers.set(topic, listeners);
        await subscriber.subscribe(prefix + topic);
      }
      listeners.add(handler);
      return () => {
        const current = handlers.get(topic);
        if (!current?.delete(handler) || current.size > 0) return;
        handlers.delete(topic);
        subscriber.unsubscribe(prefix + topic).catch(() => {});
      };
    },
    onGap(listener) {
      gapListeners.add(listener);
      return () => gapListeners.delete(listener);
    },
    async close() {
      if (closed) return;
      closed = true;
      handlers.clear();
      gapListeners.clear();
      subscriber.disconnect();
    },
  };
}
