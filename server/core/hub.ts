import { fail, ok, ERROR_CODES as E, type Result } from '../../shared/errors';
import type { Actor, MeetingCommand, ServerCommand } from '../../shared/meeting/commands';
import { createMeetingState } from '../../shared/meeting/create';
import { projectView } from '../../shared/meeting/project';
import { findSeat } from '../../shared/meeting/roles';
import type { MeetingSettings, MeetingState } from '../../shared/meeting/state';
import type { Template } from '../../shared/meeting/templates';
import { nextDeadline } from '../../shared/meeting/time';
import { transition, type Effect } from '../../shared/meeting/transition';
import type { MeetingFormat } from '../../shared/spoken/state';
import { cryptoRandom, type RandomSource } from './random';
import type { MeetingView } from '../../shared/meeting/view';
import { hashSecret, newId, newJoinCode, newToken, sameHash } from '../security/tokens';
import type { Storage } from '../storage/types';
import { nullBroadcaster, type Broadcaster } from './broadcaster';
import type { Clock, TimerHandle } from './clock';
import type { Logger } from './logger';

interface LiveMeeting {
  state: MeetingState;
  joinCode: string;
  lastActivityAt: number;
  /** seat id -> open connections; presence is runtime state, never stored. */
  connections: Map<string, number>;
  phaseTimer: TimerHandle | null;
  inactivityTimer: TimerHandle | null;
  /** A presence-only broadcast waiting to go out (seats appearing or disappearing, coalesced). */
  presenceTimer: NodeJS.Timeout | null;
}

export interface HubDeps {
  storage: Storage;
  clock: Clock;
  logger: Logger;
  /** A meeting with no activity this long is ended and purged (the confidentiality backstop). */
  inactivityLimitMs: number;
  /** Origins phones in the room can open (server/net): only leaders' and the projector's views get them. */
  phoneOrigins?: () => readonly string[];
  /** Draws a shuffled round's order (the transition's only random input). */
  random?: RandomSource;
}

/** Listeners for transition effects, e.g. the board releasing a batch when a phase ends. */
export type EffectListener = (meetingId: string, effects: readonly Effect[], state: MeetingState) => void;

export interface CreatedMeeting {
  state: MeetingState;
  joinCode: string;
  leaderToken: string;
  projectorKey: string;
}

/** How soon a deadline whose tick could not be stored is tried again. */
export const TICK_RETRY_MS = 5_000;
/**
 * Presence-only changes of a meeting go out at most once per this window: when a meeting's 12
 * seats connect at once (a server restart), one or two snapshots instead of 78. A real timer,
 * not the injected clock: it only batches, it decides nothing.
 */
export const PRESENCE_COALESCE_MS = 50;

/**
 * The live meetings of this process. Every change goes through `run`: pure transition, durable
 * store, then effects and broadcast. Only after the store returns is a command acknowledged.
 */
export class MeetingHub {
  private live = new Map<string, LiveMeeting>();
  private effectListeners: EffectListener[] = [];
  private purgeListeners: ((meetingId: string) => void)[] = [];
  private endingListeners: ((state: MeetingState) => void)[] = [];
  private presenceListeners: ((meetingId: string, seatId: string) => void)[] = [];
  broadcaster: Broadcaster = nullBroadcaster;

  constructor(private deps: HubDeps) {}

  onEffects(listener: EffectListener): void {
    this.effectListeners.push(listener);
  }

  /**
   * Called with the meeting's last state just before it is purged (server/groups computes the
   * attendance proposal from it). A listener must not keep the state.
   */
  onEnding(listener: (state: MeetingState) => void): void {
    this.endingListeners.push(listener);
  }

  /** Called when a seat's first connection opens (server/groups keeps presence in 5-minute slots). */
  onSeatConnected(listener: (meetingId: string, seatId: string) => void): void {
    this.presenceListeners.push(listener);
  }

  /** The seats with an open connection now. */
  connectedSeats(meetingId: string): string[] {
    return [...(this.live.get(meetingId)?.connections.keys() ?? [])];
  }

  /** Called after a meeting's data was deleted, so that modules drop what they hold for it. */
  onPurge(listener: (meetingId: string) => void): void {
    this.purgeListeners.push(listener);
  }

  /**
   * Reloads every live meeting after a start or restart and catches up with its deadlines. What a
   * crash left behind (a meeting stored as ended but not yet purged, rows of no meeting) is purged
   * first, and a meeting whose inactivity limit passed while the server was down is ended and
   * purged before anyone can connect to it.
   */
  loadAll(): number {
    const leftovers = this.deps.storage.purgeLeftovers();
    if (leftovers > 0) this.deps.logger.info('meeting.leftovers_purged', { meetings: leftovers });
    const stored = this.deps.storage.loadLiveMeetings();
    for (const m of stored) {
      this.live.set(m.state.id, {
        state: m.state,
        joinCode: m.joinCode,
        lastActivityAt: m.lastActivityAt,
        connections: new Map(),
        phaseTimer: null,
        inactivityTimer: null,
        presenceTimer: null,
      });
    }
    const now = this.deps.clock.now();
    for (const m of stored) {
      if (now >= this.inactivityDeadline(m.state.id)) {
        this.endInactive(m.state.id);
        continue;
      }
      // Time that passed while the server was down has passed: apply due deadlines first.
      this.run(m.state.id, { kind: 'server' }, { type: 'clock:tick' }, { silentActivity: true });
      this.schedule(m.state.id);
    }
    return this.live.size;
  }

  create(opts: {
    title: string;
    template: Template;
    settings?: Partial<MeetingSettings>;
    plannedStartAt?: number | null;
    leaderName?: string;
    format?: MeetingFormat;
    /** A group's meeting (FOLLOW-6): its views say so, and it may follow up earlier cases. */
    inGroup?: boolean;
  }): CreatedMeeting {
    const now = this.deps.clock.now();
    const state = createMeetingState({
      id: newId(),
      title: opts.title,
      template: opts.template,
      leaderSeatId: newId(),
      leaderName: opts.leaderName ?? '',
      now,
      plannedStartAt: opts.plannedStartAt ?? null,
      settings: opts.settings,
      format: opts.format,
      inGroup: opts.inGroup,
    });
    const joinCode = this.uniqueJoinCode();
    const leaderToken = newToken();
    const projectorKey = newToken();
    const leaderSeat = state.seats[0];
    if (!leaderSeat) throw new Error('a new meeting has its leader seat');
    this.deps.storage.transaction(() => {
      this.deps.storage.insertMeeting(
        { state, joinCode, lastActivityAt: now },
        hashSecret(leaderToken),
        hashSecret(projectorKey),
      );
      this.deps.storage.insertSeatToken(state.id, leaderSeat.id, hashSecret(leaderToken));
    });
    this.live.set(state.id, {
      state,
      joinCode,
      lastActivityAt: now,
      connections: new Map(),
      phaseTimer: null,
      inactivityTimer: null,
      presenceTimer: null,
    });
    this.schedule(state.id);
    this.deps.logger.info('meeting.created', { meetingId: state.id, phases: state.phases.length });
    return { state, joinCode, leaderToken, projectorKey };
  }

  /** A member joins with the join code; returns the new seat's token (shown to nobody else). */
  join(
    joinCode: string,
    name: string,
    role: 'participant' | 'observer',
  ): Result<{ meetingId: string; seatId: string; token: string }> {
    const meetingId = this.meetingIdByJoinCode(joinCode);
    if (!meetingId) return fail(E.NOT_FOUND, 'no meeting with this code');
    return this.addSeat(meetingId, role, name);
  }

  claimProjector(
    meetingId: string,
    key: string,
  ): Result<{ meetingId: string; seatId: string; token: string }> {
    const stored = this.live.has(meetingId) ? this.deps.storage.projectorKeyHash(meetingId) : null;
    if (!stored || !sameHash(stored, hashSecret(key))) return fail(E.UNAUTHENTICATED, 'wrong projector link');
    return this.addSeat(meetingId, 'projector', '');
  }

  /** A seat for a group's member or leader (server/groups): the same path as a join with the code. */
  joinAsGroupPerson(meetingId: string, name: string, coLeader: boolean) {
    const seat = this.addSeat(meetingId, 'participant', name);
    if (!seat.ok || !coLeader) return seat;
    const promoted = this.run(
      meetingId,
      { kind: 'server' },
      { type: 'seat:setRole', seatId: seat.value.seatId, role: 'co-leader' },
    );
    return promoted.ok ? seat : promoted;
  }

  /** GROUP-12: one more token for a seat that still exists (the same person, another visit or device). */
  issueSeatToken(meetingId: string, seatId: string): string | null {
    const m = this.live.get(meetingId);
    if (!m || !findSeat(m.state, seatId)) return null;
    const token = newToken();
    this.deps.storage.insertSeatToken(meetingId, seatId, hashSecret(token));
    return token;
  }

  private addSeat(meetingId: string, role: 'participant' | 'observer' | 'projector', name: string) {
    const seatId = newId();
    const token = newToken();
    const result = this.run(
      meetingId,
      { kind: 'server' },
      { type: 'seat:join', seatId, role, name },
      { alsoStore: () => this.deps.storage.insertSeatToken(meetingId, seatId, hashSecret(token)) },
    );
    if (!result.ok) return result;
    this.deps.logger.info('seat.joined', { meetingId, seatId, role });
    return ok({ meetingId, seatId, token });
  }

  /** Finds the seat a token belongs to; the token is looked up by its hash only. */
  authenticate(token: string): { meetingId: string; seatId: string } | null {
    if (typeof token !== 'string' || token.length < 16 || token.length > 200) return null;
    const found = this.deps.storage.findSeatByTokenHash(hashSecret(token));
    if (!found) return null;
    const m = this.live.get(found.meetingId);
    if (!m || !findSeat(m.state, found.seatId)) return null;
    return found;
  }

  state(meetingId: string): MeetingState | null {
    return this.live.get(meetingId)?.state ?? null;
  }

  view(meetingId: string, seatId: string): MeetingView | null {
    const m = this.live.get(meetingId);
    if (!m) return null;
    return projectView(m.state, seatId, {
      now: this.deps.clock.now(),
      connections: m.connections,
      joinCode: m.joinCode,
      phoneOrigins: this.deps.phoneOrigins?.(),
    });
  }

  meetingIds(): string[] {
    return [...this.live.keys()];
  }

  connected(meetingId: string, seatId: string, delta: 1 | -1): void {
    const m = this.live.get(meetingId);
    if (!m) return;
    const n = (m.connections.get(seatId) ?? 0) + delta;
    if (n > 0) m.connections.set(seatId, n);
    else m.connections.delete(seatId);
    // Presence changes only matter when a seat appears or disappears. They are coalesced: the
    // connecting socket gets its own snapshot at once (socket/index.ts), the others soon after.
    if ((delta === 1 && n === 1) || (delta === -1 && n === 0)) this.presenceChanged(meetingId, m);
    if (delta === 1 && n === 1) for (const listener of this.presenceListeners) listener(meetingId, seatId);
  }

  private presenceChanged(meetingId: string, m: LiveMeeting): void {
    if (m.presenceTimer) return;
    m.presenceTimer = setTimeout(() => {
      m.presenceTimer = null;
      if (this.live.get(meetingId) !== m) return;
      try {
        this.broadcaster.meetingChanged(meetingId);
      } catch (error) {
        this.deps.logger.error('meeting.presence_broadcast_failed', {
          meetingId,
          error: error instanceof Error ? error.name : 'unknown',
        });
      }
    }, PRESENCE_COALESCE_MS);
    m.presenceTimer.unref();
  }

  /** Every broadcast carries the current presence: a pending presence-only one is not needed. */
  private broadcastChange(meetingId: string, m: LiveMeeting): void {
    cancelPresence(m);
    this.broadcaster.meetingChanged(meetingId);
  }

  /** Marks activity (e.g. a note) so the inactivity backstop counts from now. */
  touch(meetingId: string): void {
    const m = this.live.get(meetingId);
    if (!m) return;
    m.lastActivityAt = this.deps.clock.now();
    this.deps.storage.touchMeeting(meetingId, m.lastActivityAt);
    this.scheduleInactivity(meetingId);
  }

  /**
   * Applies one command: transition, store (with the command id, atomically), then effects.
   * A command id this seat applied before is acknowledged again without being applied twice,
   * before the permission check: the seat's role may have changed since (WIRE-1). Another seat's
   * id is unknown to this one and goes through the permission check like any new command.
   */
  run(
    meetingId: string,
    actor: Actor,
    command: MeetingCommand | ServerCommand,
    opts: { commandId?: string; alsoStore?: () => void; silentActivity?: boolean } = {},
  ): Result {
    const m = this.live.get(meetingId);
    if (!m) return fail(E.NOT_FOUND, 'no such meeting');
    const { storage, clock, logger } = this.deps;
    // Only seats send command ids; the server's own commands never carry one.
    const commandKey =
      opts.commandId && actor.kind === 'seat' ? { seatId: actor.seatId, id: opts.commandId } : null;
    if (commandKey && storage.hasCommand(meetingId, commandKey.seatId, commandKey.id)) return ok(undefined);
    const now = clock.now();
    const random = this.deps.random ?? cryptoRandom;
    const result = transition(m.state, command, now, actor, () => random.next());
    if (!result.ok) {
      logger.debug('command.refused', { meetingId, command: command.type, code: result.error.code });
      return result;
    }
    if (command.type === 'clock:tick' && result.effects.length === 0) {
      // Nothing was due (a timer that fired early): wait for the deadline again.
      this.schedule(meetingId);
      return ok(undefined);
    }
    let joinCode = m.joinCode;
    if (result.effects.some((e) => e.type === 'rotate-join-code')) joinCode = this.uniqueJoinCode();
    const activity = opts.silentActivity || command.type === 'clock:tick' ? m.lastActivityAt : now;
    storage.transaction(() => {
      storage.saveMeeting(result.state, activity);
      if (commandKey) storage.recordCommand(meetingId, commandKey.seatId, commandKey.id);
      if (joinCode !== m.joinCode) storage.setJoinCode(meetingId, joinCode);
      for (const e of result.effects)
        if (e.type === 'seat-removed') storage.deleteSeatTokens(meetingId, e.seatId);
      opts.alsoStore?.();
    });
    m.state = result.state;
    m.joinCode = joinCode;
    m.lastActivityAt = activity;
    logger.info('command.applied', { meetingId, command: command.type, actor: actor.kind });
    if (result.effects.some((e) => e.type === 'meeting-ended')) {
      // No effect listeners: the board would release waiting notes to every screen just before
      // deleting them. The last view goes out, then the purge listeners drop everything.
      this.broadcastChange(meetingId, m);
      this.purge(meetingId, command.type === 'meeting:end' && actor.kind === 'server' ? 'inactive' : 'ended');
      return ok(undefined);
    }
    for (const listener of this.effectListeners) listener(meetingId, result.effects, result.state);
    for (const e of result.effects) {
      if (e.type === 'seat-removed') this.broadcaster.seatRemoved(meetingId, e.seatId);
    }
    this.schedule(meetingId);
    this.broadcastChange(meetingId, m);
    return ok(undefined);
  }

  /**
   * Deletes everything of the meeting, everywhere this process holds it: the live entry and its
   * timers, every stored row (secure delete, WAL truncated), then the purge listeners (the board
   * drops its documents and closes its connections), then every Socket.IO connection is told.
   * Memory is cleared even when storage fails; the rows are then purged at the next start-up.
   */
  purge(meetingId: string, reason: 'ended' | 'inactive'): void {
    const m = this.live.get(meetingId);
    if (!m) return;
    for (const listener of this.endingListeners) {
      try {
        listener(m.state);
      } catch (error) {
        // The purge goes on whatever a listener does: the meeting's content must go.
        this.deps.logger.error('meeting.ending_listener_failed', {
          meetingId,
          error: error instanceof Error ? error.name : 'unknown',
        });
      }
    }
    const started = performance.now();
    m.phaseTimer?.cancel();
    m.inactivityTimer?.cancel();
    cancelPresence(m);
    this.live.delete(meetingId);
    try {
      // Logged only once the WAL was truncated: until then the content is still in a file.
      this.deps.storage.purgeMeeting(meetingId, () =>
        this.deps.logger.info('meeting.purged', {
          meetingId,
          reason,
          ms: Math.round(performance.now() - started),
        }),
      );
    } catch (error) {
      this.deps.logger.error('meeting.purge_failed', {
        meetingId,
        error: error instanceof Error ? error.name : 'unknown',
      });
    }
    for (const listener of this.purgeListeners) listener(meetingId);
    this.broadcaster.meetingEnded(meetingId);
    forgetLastRegExpSubject();
  }

  /** Stops all timers (drain / tests). */
  stop(): void {
    for (const m of this.live.values()) {
      m.phaseTimer?.cancel();
      m.inactivityTimer?.cancel();
      cancelPresence(m);
    }
  }

  private schedule(meetingId: string): void {
    const m = this.live.get(meetingId);
    if (!m) return;
    m.phaseTimer?.cancel();
    m.phaseTimer = null;
    const at = nextDeadline(m.state);
    if (at !== null) {
      m.phaseTimer = this.deps.clock.setTimer(at, () => this.tick(meetingId));
    }
    this.scheduleInactivity(meetingId);
  }

  /**
   * A deadline is due. It runs from a timer, where a throw (a store that failed) would crash the
   * process: it is logged instead, and tried again shortly; nothing was applied meanwhile.
   */
  private tick(meetingId: string): void {
    try {
      this.run(meetingId, { kind: 'server' }, { type: 'clock:tick' });
    } catch (error) {
      this.deps.logger.error('meeting.tick_failed', {
        meetingId,
        error: error instanceof Error ? error.name : 'unknown',
      });
      const m = this.live.get(meetingId);
      if (m)
        m.phaseTimer = this.deps.clock.setTimer(this.deps.clock.now() + TICK_RETRY_MS, () =>
          this.tick(meetingId),
        );
    }
  }

  /** When the backstop ends the meeting: the limit after the last activity or the planned start. */
  private inactivityDeadline(meetingId: string): number {
    const m = this.live.get(meetingId);
    if (!m) return Infinity;
    return Math.max(m.lastActivityAt, m.state.plannedStartAt ?? 0) + this.deps.inactivityLimitMs;
  }

  private scheduleInactivity(meetingId: string): void {
    const m = this.live.get(meetingId);
    if (!m) return;
    m.inactivityTimer?.cancel();
    m.inactivityTimer = this.deps.clock.setTimer(this.inactivityDeadline(meetingId), () =>
      this.endInactive(meetingId),
    );
  }

  /** The backstop: ends the meeting as `meeting:end` does; if that cannot be stored, purges anyway. */
  private endInactive(meetingId: string): void {
    let ended: Result;
    try {
      ended = this.run(meetingId, { kind: 'server' }, { type: 'meeting:end' });
    } catch (error) {
      this.deps.logger.error('meeting.end_failed', {
        meetingId,
        error: error instanceof Error ? error.name : 'unknown',
      });
      ended = fail(E.UNAVAILABLE, 'could not store the end');
    }
    if (!ended.ok) this.purge(meetingId, 'inactive');
  }

  private meetingIdByJoinCode(joinCode: string): string | null {
    const id = this.deps.storage.findMeetingByJoinCode(joinCode);
    return id && this.live.has(id) ? id : null;
  }

  private uniqueJoinCode(): string {
    for (;;) {
      const code = newJoinCode();
      if (!this.deps.storage.findMeetingByJoinCode(code)) return code;
    }
  }
}

/**
 * V8 keeps the subject of the last successful regular expression match reachable (the legacy
 * `RegExp.input` / `RegExp.lastMatch`): after validating a note's secret or text, that string would
 * outlive its meeting until the next match. A match on a constant replaces it.
 */
function forgetLastRegExpSubject(): void {
  /purged/.test('purged');
}

function cancelPresence(m: LiveMeeting): void {
  if (m.presenceTimer) clearTimeout(m.presenceTimer);
  m.presenceTimer = null;
}
