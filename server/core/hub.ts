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
import { newId, newJoinCode, newSeatToken, newToken, sameHash } from '../security/tokens';
import type { MeetingNews, MeetingNotice } from '../scale/meetingNews';
import { PRESENCE_HEARTBEAT_MS, type PresenceRegistry } from '../scale/presence';
import type { AsyncStorage, DueRow, MeetingTransaction, VersionedMeeting } from '../storage/async/types';
import { releaseDueCase } from '../storage/async/dueTimes';
import { nullBroadcaster, type Broadcaster } from './broadcaster';
import type { Clock, TimerHandle } from './clock';
import type { Logger } from './logger';
import { MeetingQueue } from './meetingQueue';

interface LiveMeeting {
  state: MeetingState;
  /** The stored version this state is (SCALE-16); a newer one stored elsewhere is reloaded. */
  version: number;
  joinCode: string;
  lastActivityAt: number;
  /** seat id -> open connections; presence is runtime state, never stored. */
  connections: Map<string, number>;
  /** The same on the other processes (SCALE-20), as Redis last said; empty for one process. */
  elsewhere: Map<string, number>;
  phaseTimer: TimerHandle | null;
  inactivityTimer: TimerHandle | null;
  /** A presence-only broadcast waiting to go out (seats appearing or disappearing, coalesced). */
  presenceTimer: NodeJS.Timeout | null;
}

export interface HubDeps {
  storage: AsyncStorage;
  clock: Clock;
  logger: Logger;
  /** A meeting with no activity this long is ended and purged (the confidentiality backstop). */
  inactivityLimitMs: number;
  /** Origins phones in the room can open (server/net): only leaders' and the projector's views get them. */
  phoneOrigins?: () => readonly string[];
  /** Draws a shuffled round's order (the transition's only random input). */
  random?: RandomSource;
}

/**
 * Listeners for transition effects, e.g. the board releasing a batch when a phase ends. They run
 * inside the meeting's job (SCALE-5), awaited one after the other: they must not queue a job of
 * the same meeting and wait for it.
 */
export type EffectListener = (
  meetingId: string,
  effects: readonly Effect[],
  state: MeetingState,
) => void | Promise<void>;

/** A listener may do its work asynchronously; the hub awaits it where order matters. */
type Listener<A extends unknown[]> = (...args: A) => void | Promise<void>;

/** What a command run inside its transaction decided; the hub acts on it after the commit. */
type Outcome =
  | { kind: 'done'; result: Result }
  /** Another process ended and purged the meeting (SCALE-17). */
  | { kind: 'gone' }
  | {
      kind: 'applied';
      state: MeetingState;
      effects: readonly Effect[];
      joinCode: string;
      activity: number;
      version: number;
    };

export interface RunOptions {
  commandId?: string;
  /** More writes of the same transaction (a new seat's token): stored with the state, or not at all. */
  alsoStore?: (tx: MeetingTransaction) => Promise<void>;
  silentActivity?: boolean;
}

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
 * SCALE-19: a due time a process claimed from storage is set again this far ahead in the claim's
 * transaction, and rewritten by the tick or end it causes; if that process dies first, another
 * one claims it then.
 */
export const DUE_RECHECK_MS = 30_000;
/** How long a meeting's end waits for its truncation before the clients are told (DISK-1). */
const PURGE_SCRUB_WAIT_MS = 500;
/** How long start-up waits for the truncation after the purges it made (DISK-1). */
const STARTUP_SCRUB_WAIT_MS = 2_000;

/**
 * The live meetings of this process. Every change goes through `run`: pure transition, durable
 * store, then effects and broadcast. Only after the store's transaction committed is a command
 * acknowledged. Each meeting's work runs through its queue (SCALE-5), one job at a time.
 */
export class MeetingHub {
  /** Purges whose WAL truncation has not been reported yet, for start-up to wait on. */
  private scrubbing = new Set<Promise<void>>();
  private live = new Map<string, LiveMeeting>();
  private effectListeners: EffectListener[] = [];
  private purgeListeners: Listener<[meetingId: string]>[] = [];
  private endingListeners: Listener<[state: MeetingState]>[] = [];
  private presenceListeners: Listener<[meetingId: string, seatId: string]>[] = [];
  private refreshListeners: Listener<[meetingId: string]>[] = [];
  private notesListeners: Listener<[meetingId: string]>[] = [];
  private releaseDueListeners: Listener<[meetingId: string, caseIndex: number]>[] = [];
  private readonly queue = new MeetingQueue();
  broadcaster: Broadcaster = nullBroadcaster;
  /**
   * The notices between processes (SCALE-16, SCALE-17), set before `loadAll` when Redis is
   * configured; null for one process.
   */
  private news: MeetingNews | null = null;
  /** Presence across processes (SCALE-20), with Redis; null for one process. */
  private presence: PresenceRegistry | null = null;
  private presenceRefresh: NodeJS.Timeout | null = null;
  /**
   * On PostgreSQL another process may have created the meeting a client asks for: it is loaded
   * from storage then (SCALE-16). On SQLite one process holds them all from its start.
   */
  private readonly loadsOnDemand: boolean;

  constructor(private deps: HubDeps) {
    this.loadsOnDemand = deps.storage.dialect === 'postgres';
  }

  /**
   * SCALE-20: this process's connections go into `registry`, and its views count the other
   * processes' too: read again when another process says a seat appeared or went, and every
   * heartbeat (a dead process's entries expire within 15 s).
   */
  usePresence(registry: PresenceRegistry): void {
    this.presence = registry;
    // Only the meetings with sockets here: views go to this process's sockets only, and a first
    // socket reads the counts at once (`connected`).
    this.presenceRefresh = setInterval(() => {
      for (const [meetingId, m] of this.live) if (m.connections.size > 0) this.refreshPresence(meetingId);
    }, PRESENCE_HEARTBEAT_MS);
    this.presenceRefresh.unref();
  }

  /** Reads the other processes' counts of the meeting; a change goes out to this one's sockets. */
  private refreshPresence(meetingId: string): void {
    const registry = this.presence;
    if (!registry) return;
    this.guarded('meeting.presence_read_failed', meetingId, async () => {
      const counts = await registry.connectedElsewhere(meetingId);
      const m = this.live.get(meetingId);
      if (!m || sameCounts(m.elsewhere, counts)) return;
      m.elsewhere = counts;
      this.presenceChanged(meetingId, m);
    });
  }

  /** This process's and the other processes' connections per seat. */
  private allConnections(m: LiveMeeting): Map<string, number> {
    if (m.elsewhere.size === 0) return m.connections;
    const all = new Map(m.elsewhere);
    for (const [seat, n] of m.connections) all.set(seat, (all.get(seat) ?? 0) + n);
    return all;
  }

  /** Connects the hub to the other processes: call once, before `loadAll`. */
  useNews(news: MeetingNews): void {
    this.news = news;
    // Notices may have been lost: whatever this process holds is reloaded from storage.
    news.onGap(() => {
      for (const meetingId of this.live.keys()) this.refreshSoon(meetingId);
    });
  }

  /**
   * Runs `job` as one of the meeting's jobs (SCALE-5): after every job queued before it, before
   * any queued after it. The board runs its note operations and board updates through here.
   */
  serialized<T>(meetingId: string, job: () => Promise<T> | T): Promise<T> {
    return this.queue.run(meetingId, job);
  }

  /** Resolves once every meeting's queued jobs have ended (the drain, and tests after a clock move). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  onEffects(listener: EffectListener): void {
    this.effectListeners.push(listener);
  }

  /**
   * Called with the meeting's last state just before it is purged (server/groups computes the
   * attendance proposal from it). A listener must not keep the state.
   */
  onEnding(listener: Listener<[state: MeetingState]>): void {
    this.endingListeners.push(listener);
  }

  /** Called when a seat's first connection opens (server/groups keeps presence in 5-minute slots). */
  onSeatConnected(listener: Listener<[meetingId: string, seatId: string]>): void {
    this.presenceListeners.push(listener);
  }

  /** The seats with an open connection now, on any process. */
  connectedSeats(meetingId: string): string[] {
    const m = this.live.get(meetingId);
    return m ? [...this.allConnections(m).keys()] : [];
  }

  /**
   * Called inside the meeting's job after its state was reloaded because another process
   * changed it (SCALE-16): modules refresh what they sent this process's sockets.
   */
  onRefreshed(listener: Listener<[meetingId: string]>): void {
    this.refreshListeners.push(listener);
  }

  /**
   * SCALE-21: the board stored a change of the meeting's notes; the other processes are told, and
   * their `onNotesElsewhere` listeners send their own sockets the views that depend on notes.
   */
  notesChanged(meetingId: string): void {
    this.news?.announce(meetingId, 'notes');
  }

  onNotesElsewhere(listener: Listener<[meetingId: string]>): void {
    this.notesListeners.push(listener);
  }

  /** Called after a meeting's data was deleted, so that modules drop what they hold for it. */
  onPurge(listener: Listener<[meetingId: string]>): void {
    this.purgeListeners.push(listener);
  }

  /**
   * Reloads every live meeting after a start or restart and catches up with its deadlines. What a
   * crash left behind (a meeting stored as ended but not yet purged, rows of no meeting) is purged
   * first, and a meeting whose inactivity limit passed while the server was down is ended and
   * purged before anyone can connect to it.
   */
  async loadAll(): Promise<number> {
    const leftovers = await this.deps.storage.purgeLeftovers();
    if (leftovers > 0) this.deps.logger.info('meeting.leftovers_purged', { meetings: leftovers });
    const stored = await this.deps.storage.loadLiveMeetings();
    for (const m of stored) this.track(m);
    const now = this.deps.clock.now();
    for (const m of stored) {
      const meetingId = m.state.id;
      if (now >= this.inactivityDeadline(meetingId)) {
        await this.queue.run(meetingId, () => this.endInactiveInJob(meetingId));
        continue;
      }
      // Time that passed while the server was down has passed: apply due deadlines first.
      await this.run(meetingId, { kind: 'server' }, { type: 'clock:tick' }, { silentActivity: true });
      this.schedule(meetingId);
    }
    // DISK-1, CONF-8: the meetings ended here leave the files before the server listens (the WAL
    // worker truncates); a reader that blocks the truncation does not keep it from starting.
    await this.scrubbed(STARTUP_SCRUB_WAIT_MS);
    return this.live.size;
  }

  /**
   * SCALE-19, on PostgreSQL: the meeting's next deadline and inactivity limit are stored with its
   * state, so that any process finds them (`dueClaimed`) when none holds the meeting in memory.
   * Activity between commands (notes) moves the limit later without a write here: a limit found
   * early is checked against the stored activity and stored again.
   */
  private async storeDue(tx: MeetingTransaction, state: MeetingState, activity: number): Promise<void> {
    if (!this.loadsOnDemand) return;
    await tx.setDues(state.id, [
      { kind: 'phase', at: nextDeadline(state) },
      { kind: 'inactivity', at: this.limitFrom(state, activity) },
    ]);
  }

  private limitFrom(state: MeetingState, activity: number): number {
    return Math.max(activity, state.plannedStartAt ?? 0) + this.deps.inactivityLimitMs;
  }

  /**
   * The claiming transaction of a stored due time (the poller, SCALE-19): it is set again
   * `DUE_RECHECK_MS` ahead, in case this process dies before acting on it.
   */
  async claimDue(tx: MeetingTransaction, due: DueRow): Promise<void> {
    await tx.setDue(due.meetingId, due.kind, this.deps.clock.now() + DUE_RECHECK_MS);
  }

  /**
   * After the claim committed: the meeting is loaded if need be, and its tick, end or a case's
   * delayed release (SCALE-60, the board's) runs. A release that fails leaves the claimed row
   * for a later poll.
   */
  dueClaimed(due: DueRow): void {
    const { meetingId } = due;
    const releaseCase = releaseDueCase(due.kind);
    this.guarded('meeting.due_failed', meetingId, async () => {
      if (!(await this.ensureLive(meetingId))) return;
      if (due.kind === 'phase') this.tick(meetingId);
      if (due.kind === 'inactivity') await this.queue.run(meetingId, () => this.endInactiveInJob(meetingId));
      if (releaseCase !== null)
        await this.queue.run(meetingId, async () => {
          for (const listener of this.releaseDueListeners) await listener(meetingId, releaseCase);
        });
    });
  }

  /** SCALE-60: called in the meeting's job when a case's stored release delay was claimed here. */
  onReleaseDue(listener: Listener<[meetingId: string, caseIndex: number]>): void {
    this.releaseDueListeners.push(listener);
  }

  /** Holds a stored meeting in memory and follows the other processes' notices about it. */
  private track(stored: VersionedMeeting): LiveMeeting {
    const meetingId = stored.state.id;
    const m: LiveMeeting = {
      state: stored.state,
      version: stored.version,
      joinCode: stored.joinCode,
      lastActivityAt: stored.lastActivityAt,
      connections: new Map(),
      elsewhere: new Map(),
      phaseTimer: null,
      inactivityTimer: null,
      presenceTimer: null,
    };
    this.live.set(meetingId, m);
    this.news?.follow(meetingId, (version) => this.hear(meetingId, version));
    return m;
  }

  /**
   * The meeting inside its job: held in memory, or (PostgreSQL) loaded from storage because
   * another process created it (SCALE-16); its timers are armed then, and what fell due while no
   * process held it is applied by them at once.
   */
  private async liveInJob(meetingId: string): Promise<LiveMeeting | null> {
    const held = this.live.get(meetingId);
    if (held || !this.loadsOnDemand) return held ?? null;
    const stored = await this.deps.storage.loadMeeting(meetingId);
    if (!stored || this.live.has(meetingId)) return this.live.get(meetingId) ?? null;
    const m = this.track(stored);
    this.schedule(meetingId);
    this.deps.logger.info('meeting.loaded', { meetingId, version: stored.version });
    return m;
  }

  /** Whether the meeting is live here, after loading it on demand (outside its job). */
  private async ensureLive(meetingId: string): Promise<boolean> {
    if (this.live.has(meetingId)) return true;
    if (!this.loadsOnDemand) return false;
    return (await this.queue.run(meetingId, () => this.liveInJob(meetingId))) !== null;
  }

  /** A notice from another process: a newer version is reloaded, a gone meeting dropped. */
  private hear(meetingId: string, version: MeetingNotice): void {
    const m = this.live.get(meetingId);
    if (!m) return;
    // Counts matter only to this process's sockets; a first socket reads them anyway.
    if (version === 'presence') {
      if (m.connections.size > 0) this.refreshPresence(meetingId);
      return;
    }
    if (version === 'notes') {
      this.guarded('meeting.notes_listener_failed', meetingId, () =>
        this.queue.run(meetingId, async () => {
          for (const listener of this.notesListeners) await listener(meetingId);
        }),
      );
      return;
    }
    if (version === null) {
      this.guarded('meeting.forget_failed', meetingId, () =>
        this.queue.run(meetingId, () => this.forgetInJob(meetingId)),
      );
      return;
    }
    if (version > m.version) this.refreshSoon(meetingId);
  }

  private refreshSoon(meetingId: string): void {
    this.guarded('meeting.refresh_failed', meetingId, () =>
      this.queue.run(meetingId, () => this.refreshInJob(meetingId)),
    );
  }

  /** Reloads the meeting if storage holds a newer version (or drops it when it is gone). */
  private async refreshInJob(meetingId: string): Promise<void> {
    const m = this.live.get(meetingId);
    if (!m) return;
    const stored = await this.deps.storage.loadMeeting(meetingId);
    if (!stored) return this.forgetInJob(meetingId);
    if (stored.version > m.version) await this.adopt(meetingId, m, stored, true);
    else m.lastActivityAt = Math.max(m.lastActivityAt, stored.lastActivityAt);
  }

  /**
   * Takes a state another process stored. Never an older one: versions only go up, so no socket
   * gets a view older than one it had. With `tell`, this process's sockets get it now.
   */
  private async adopt(meetingId: string, m: LiveMeeting, stored: VersionedMeeting, tell: boolean) {
    if (stored.version <= m.version) return;
    m.state = stored.state;
    m.joinCode = stored.joinCode;
    m.version = stored.version;
    m.lastActivityAt = Math.max(m.lastActivityAt, stored.lastActivityAt);
    this.schedule(meetingId);
    if (!tell) return;
    this.broadcastChange(meetingId, m);
    for (const listener of this.refreshListeners)
      await this.awaited('meeting.refresh_listener_failed', meetingId, () => listener(meetingId));
  }

  /**
   * Another process ended and purged the meeting (SCALE-17): this process drops what it holds
   * (the purge listeners close its board connections) and tells its own sockets, with a last
   * view that says ended. Nothing is deleted here: the rows are gone already.
   */
  private async forgetInJob(meetingId: string): Promise<void> {
    const m = this.live.get(meetingId);
    if (!m) return;
    const ended = transition(
      m.state,
      { type: 'meeting:end' },
      this.deps.clock.now(),
      { kind: 'server' },
      () => 0,
    );
    if (ended.ok) {
      m.state = ended.state;
      this.broadcaster.meetingChanged(meetingId);
    }
    this.letGo(meetingId, m);
    for (const listener of this.purgeListeners)
      await this.awaited('meeting.purge_listener_failed', meetingId, () => listener(meetingId));
    // Only this process's sockets: the purging process told every process's through the adapter
    // (which may have got here first), and must still send its own sender its ack.
    this.broadcaster.meetingEnded(meetingId, true);
    this.deps.logger.info('meeting.forgotten', { meetingId });
    forgetLastRegExpSubject();
  }

  /** Drops the meeting from this process's memory (purged here or elsewhere): timers, entry, notices. */
  private letGo(meetingId: string, m: LiveMeeting): void {
    stopTimers(m);
    this.live.delete(meetingId);
    this.news?.unfollow(meetingId);
  }

  /** Waits (at most `limitMs`) until the purges so far have truncated the WAL. */
  private async scrubbed(limitMs: number): Promise<void> {
    const pending = [...this.scrubbing];
    this.scrubbing.clear();
    if (pending.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(pending),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, limitMs))),
    ]);
    clearTimeout(timer);
  }

  async create(opts: {
    title: string;
    template: Template;
    settings?: Partial<MeetingSettings>;
    plannedStartAt?: number | null;
    leaderName?: string;
    format?: MeetingFormat;
    /** A group's meeting (FOLLOW-6): its views say so, and it may follow up earlier cases. */
    inGroup?: boolean;
  }): Promise<CreatedMeeting> {
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
    const joinCode = await this.uniqueJoinCode(this.deps.storage);
    // CONF-4: a seat's token names its meeting, whose key hashes it on PostgreSQL.
    const leaderToken = newSeatToken(state.id);
    const projectorKey = newToken();
    const leaderSeat = state.seats[0];
    if (!leaderSeat) throw new Error('a new meeting has its leader seat');
    await this.deps.storage.transaction(async (tx) => {
      await tx.insertMeeting({ state, joinCode, lastActivityAt: now }, { leaderToken, projectorKey });
      await tx.addSeatToken(state.id, leaderSeat.id, leaderToken);
      await this.storeDue(tx, state, now);
    });
    this.track({ state, joinCode, lastActivityAt: now, version: 0 });
    this.schedule(state.id);
    this.deps.logger.info('meeting.created', { meetingId: state.id, phases: state.phases.length });
    return { state, joinCode, leaderToken, projectorKey };
  }

  /** A member joins with the join code; returns the new seat's token (shown to nobody else). */
  async join(
    joinCode: string,
    name: string,
    role: 'participant' | 'observer',
  ): Promise<Result<{ meetingId: string; seatId: string; token: string }>> {
    const meetingId = await this.meetingIdByJoinCode(joinCode);
    if (!meetingId) return fail(E.NOT_FOUND, 'no meeting with this code');
    return this.addSeat(meetingId, role, name);
  }

  async claimProjector(
    meetingId: string,
    key: string,
  ): Promise<Result<{ meetingId: string; seatId: string; token: string }>> {
    const stored = (await this.ensureLive(meetingId))
      ? await this.deps.storage.projectorKeyHash(meetingId)
      : null;
    if (!stored || !sameHash(stored, await this.deps.storage.secretHash(meetingId, key)))
      return fail(E.UNAUTHENTICATED, 'wrong projector link');
    return this.addSeat(meetingId, 'projector', '');
  }

  /** A seat for a group's member or leader (server/groups): the same path as a join with the code. */
  async joinAsGroupPerson(meetingId: string, name: string, coLeader: boolean) {
    const seat = await this.addSeat(meetingId, 'participant', name);
    if (!seat.ok || !coLeader) return seat;
    const promoted = await this.run(
      meetingId,
      { kind: 'server' },
      { type: 'seat:setRole', seatId: seat.value.seatId, role: 'co-leader' },
    );
    return promoted.ok ? seat : promoted;
  }

  /** GROUP-12: one more token for a seat that still exists (the same person, another visit or device). */
  issueSeatToken(meetingId: string, seatId: string): Promise<string | null> {
    // In the meeting's order: a removal queued before it has deleted the seat's tokens already.
    return this.queue.run(meetingId, async () => {
      const m = await this.liveInJob(meetingId);
      if (!m || !findSeat(m.state, seatId)) return null;
      const token = newSeatToken(meetingId);
      await this.deps.storage.addSeatToken(meetingId, seatId, token);
      return token;
    });
  }

  private async addSeat(meetingId: string, role: 'participant' | 'observer' | 'projector', name: string) {
    const seatId = newId();
    const token = newSeatToken(meetingId);
    const result = await this.run(
      meetingId,
      { kind: 'server' },
      { type: 'seat:join', seatId, role, name },
      { alsoStore: (tx) => tx.addSeatToken(meetingId, seatId, token) },
    );
    if (!result.ok) return result;
    this.deps.logger.info('seat.joined', { meetingId, seatId, role });
    return ok({ meetingId, seatId, token });
  }

  /** Finds the seat a token belongs to; the token is looked up by its hash only. */
  async authenticate(token: string): Promise<{ meetingId: string; seatId: string } | null> {
    if (typeof token !== 'string' || token.length < 16 || token.length > 200) return null;
    const found = await this.deps.storage.findSeatByToken(token);
    if (!found || !(await this.ensureLive(found.meetingId))) return null;
    const m = this.live.get(found.meetingId);
    if (!m || !findSeat(m.state, found.seatId)) return null;
    return found;
  }

  state(meetingId: string): MeetingState | null {
    return this.live.get(meetingId)?.state ?? null;
  }

  /**
   * Whether the meeting lives here or in the storage (another process serves it: SCALE-43). Every
   * stored meeting row has a projector key hash, and its purge deletes the row.
   */
  async exists(meetingId: string): Promise<boolean> {
    if (this.live.has(meetingId)) return true;
    return (await this.deps.storage.projectorKeyHash(meetingId)) !== null;
  }

  view(meetingId: string, seatId: string): MeetingView | null {
    const m = this.live.get(meetingId);
    if (!m) return null;
    return projectView(m.state, seatId, {
      now: this.deps.clock.now(),
      connections: this.allConnections(m),
      joinCode: m.joinCode,
      phoneOrigins: this.deps.phoneOrigins?.(),
    });
  }

  meetingIds(): string[] {
    return [...this.live.keys()];
  }

  connected(meetingId: string, seatId: string, delta: 1 | -1): void {
    // Counted in Redis even after a purge, so that the sockets closing then leave it at zero.
    const registry = this.presence;
    registry?.connected({ meetingId, seatId }, delta);
    const m = this.live.get(meetingId);
    if (!m) return;
    const first = m.connections.size === 0;
    const n = (m.connections.get(seatId) ?? 0) + delta;
    if (n > 0) m.connections.set(seatId, n);
    else m.connections.delete(seatId);
    if (registry && first && delta === 1) this.refreshPresence(meetingId);
    // SCALE-20: the others read the counts again once Redis has this process's.
    if (registry && ((delta === 1 && n === 1) || (delta === -1 && n === 0)))
      void registry.flushed().then(() => this.news?.announce(meetingId, 'presence'));
    // Presence changes only matter when a seat appears or disappears. They are coalesced: the
    // connecting socket gets its own snapshot at once (socket/index.ts), the others soon after.
    if ((delta === 1 && n === 1) || (delta === -1 && n === 0)) this.presenceChanged(meetingId, m);
    if (delta === 1 && n === 1)
      for (const listener of this.presenceListeners)
        this.guarded('meeting.presence_listener_failed', meetingId, () => listener(meetingId, seatId));
  }

  /**
   * Runs a listener whose outcome nobody waits for: a throw or a rejection is logged (by the
   * error's name only) instead of reaching the event loop.
   */
  private guarded(event: string, meetingId: string, listener: () => void | Promise<void>): void {
    const log = (error: unknown) =>
      this.deps.logger.error(event, { meetingId, error: error instanceof Error ? error.name : 'unknown' });
    try {
      const done = listener();
      if (done) done.catch(log);
    } catch (error) {
      log(error);
    }
  }

  /** Awaits a listener inside the meeting's job; what it throws is logged and the job goes on. */
  private async awaited(
    event: string,
    meetingId: string,
    listener: () => void | Promise<void>,
  ): Promise<void> {
    try {
      await listener();
    } catch (error) {
      this.deps.logger.error(event, { meetingId, error: error instanceof Error ? error.name : 'unknown' });
    }
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

  /**
   * Marks activity (e.g. a note) so the inactivity backstop counts from now. Called inside the
   * meeting's job (the board's note operations), so it does not queue one of its own.
   */
  async touch(meetingId: string): Promise<void> {
    const at = this.activityNow(meetingId);
    if (at === null) return;
    await this.deps.storage.touchMeeting(meetingId, at);
    this.touched(meetingId, at);
  }

  /**
   * For a caller that stores the stamp in a transaction of its own: the time to store (null when
   * the meeting is not held here, and nothing is to be stored), then `touched` once it committed.
   */
  activityNow(meetingId: string): number | null {
    return this.live.has(meetingId) ? this.deps.clock.now() : null;
  }

  touched(meetingId: string, at: number): void {
    const m = this.live.get(meetingId);
    if (!m) return;
    m.lastActivityAt = at;
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
    opts: RunOptions = {},
  ): Promise<Result> {
    return this.queue.run(meetingId, () => this.apply(meetingId, actor, command, opts));
  }

  /** `run` inside the meeting's job: the caller holds the meeting's turn in the queue. */
  private async apply(
    meetingId: string,
    actor: Actor,
    command: MeetingCommand | ServerCommand,
    opts: RunOptions,
  ): Promise<Result> {
    const m = await this.liveInJob(meetingId);
    if (!m) return fail(E.NOT_FOUND, 'no such meeting');
    const { storage, clock, logger } = this.deps;
    // Only seats send command ids; the server's own commands never carry one.
    const commandKey =
      opts.commandId && actor.kind === 'seat' ? { seatId: actor.seatId, id: opts.commandId } : null;
    /** A newer state another process stored, found under the lock (SCALE-16). */
    let reloaded: VersionedMeeting | null = null;
    const outcome = await storage.transaction(async (tx): Promise<Outcome> => {
      // SCALE-16: the row lock serializes the meeting's commands across processes (on SQLite the
      // one connection does). Under it, a newer stored state is this command's base, and the
      // command id is checked against every process's commits.
      const locked = await tx.lockMeeting(meetingId);
      if (!locked) return { kind: 'gone' };
      if (locked.version > m.version) {
        reloaded = await tx.loadMeeting(meetingId);
        if (!reloaded) return { kind: 'gone' };
      }
      const base = reloaded ?? { state: m.state, joinCode: m.joinCode, version: m.version };
      const baseActivity = Math.max(m.lastActivityAt, locked.lastActivityAt);
      if (commandKey && (await tx.hasCommand(meetingId, commandKey.seatId, commandKey.id)))
        return { kind: 'done', result: ok(undefined) };
      const now = clock.now();
      const random = this.deps.random ?? cryptoRandom;
      const result = transition(base.state, command, now, actor, () => random.next());
      if (!result.ok) {
        logger.debug('command.refused', { meetingId, command: command.type, code: result.error.code });
        return { kind: 'done', result };
      }
      if (command.type === 'clock:tick' && result.effects.length === 0) {
        // Nothing was due (a timer that fired early, or another process applied it): wait for
        // the deadline again (schedule, after the outcome), and store it again (a claimed one).
        await this.storeDue(tx, base.state, baseActivity);
        return { kind: 'done', result: ok(undefined) };
      }
      let joinCode = base.joinCode;
      if (result.effects.some((e) => e.type === 'rotate-join-code')) joinCode = await this.uniqueJoinCode(tx);
      const activity = opts.silentActivity || command.type === 'clock:tick' ? baseActivity : now;
      await tx.saveMeeting(result.state, activity);
      await this.storeDue(tx, result.state, activity);
      if (commandKey) await tx.recordCommand(meetingId, commandKey.seatId, commandKey.id);
      if (joinCode !== base.joinCode) await tx.setJoinCode(meetingId, joinCode);
      for (const e of result.effects)
        if (e.type === 'seat-removed') await tx.deleteSeatTokens(meetingId, e.seatId);
      await opts.alsoStore?.(tx);
      return {
        kind: 'applied',
        state: result.state,
        effects: result.effects,
        joinCode,
        activity,
        version: locked.version + 1,
      };
    });
    if (outcome.kind === 'gone') {
      await this.forgetInJob(meetingId);
      return fail(E.NOT_FOUND, 'no such meeting');
    }
    // What another process stored is this process's state now, whatever this command did; when
    // it did nothing, this process's sockets are told the newer state here.
    if (reloaded) await this.adopt(meetingId, m, reloaded, outcome.kind === 'done');
    if (outcome.kind === 'done') {
      if (command.type === 'clock:tick') this.schedule(meetingId);
      return outcome.result;
    }
    // Committed: from here on memory follows what is stored.
    m.state = outcome.state;
    m.joinCode = outcome.joinCode;
    m.lastActivityAt = outcome.activity;
    m.version = outcome.version;
    this.news?.announce(meetingId, outcome.version);
    const { effects } = outcome;
    logger.info('command.applied', { meetingId, command: command.type, actor: actor.kind });
    if (effects.some((e) => e.type === 'meeting-ended')) {
      // No effect listeners: the board would release waiting notes to every screen just before
      // deleting them. The last view goes out, then the purge listeners drop everything.
      this.broadcastChange(meetingId, m);
      await this.purgeInJob(
        meetingId,
        command.type === 'meeting:end' && actor.kind === 'server' ? 'inactive' : 'ended',
      );
      return ok(undefined);
    }
    for (const listener of this.effectListeners)
      await this.awaited('meeting.effect_listener_failed', meetingId, () =>
        listener(meetingId, effects, outcome.state),
      );
    for (const e of effects) {
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
  purge(meetingId: string, reason: 'ended' | 'inactive'): Promise<void> {
    return this.queue.run(meetingId, () => this.purgeInJob(meetingId, reason));
  }

  private async purgeInJob(meetingId: string, reason: 'ended' | 'inactive'): Promise<void> {
    const m = this.live.get(meetingId);
    if (!m) return;
    // Awaited before the purge (the groups' attendance is computed from the last state); the
    // purge goes on whatever a listener does: the meeting's content must go.
    for (const listener of this.endingListeners)
      await this.awaited('meeting.ending_listener_failed', meetingId, () => listener(m.state));
    const started = performance.now();
    this.letGo(meetingId, m);
    // Settled when the WAL was truncated, or when the purge failed (start-up waits on it).
    let scrubbed!: () => void;
    const truncation = new Promise<void>((resolve) => (scrubbed = resolve));
    try {
      // Logged only once the WAL was truncated: until then the content is still in a file.
      this.scrubbing.add(truncation);
      void truncation.then(() => this.scrubbing.delete(truncation));
      await this.deps.storage.purgeMeeting(meetingId, () => {
        this.deps.logger.info('meeting.purged', {
          meetingId,
          reason,
          ms: Math.round(performance.now() - started),
        });
        scrubbed();
      });
    } catch (error) {
      scrubbed();
      this.deps.logger.error('meeting.purge_failed', {
        meetingId,
        error: error instanceof Error ? error.name : 'unknown',
      });
    }
    // DISK-1: the WAL worker truncates after the deletes; the clients are told once it did (in
    // this meeting's queue only, never on the event loop), unless a reader blocks it: then after
    // PURGE_SCRUB_WAIT_MS, and it follows as soon as the reader lets go.
    await within(truncation, PURGE_SCRUB_WAIT_MS);
    // SCALE-17: every other process drops it too and closes its connections.
    this.news?.announce(meetingId, null);
    for (const listener of this.purgeListeners)
      await this.awaited('meeting.purge_listener_failed', meetingId, () => listener(meetingId));
    this.broadcaster.meetingEnded(meetingId);
    forgetLastRegExpSubject();
  }

  /** Stops all timers (drain / tests). */
  stop(): void {
    if (this.presenceRefresh) clearInterval(this.presenceRefresh);
    this.presenceRefresh = null;
    for (const m of this.live.values()) stopTimers(m);
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
   * A deadline is due. It runs from a timer, where a rejection (a store that failed) would crash
   * the process: it is logged instead, and tried again shortly; nothing was applied meanwhile.
   */
  private tick(meetingId: string): void {
    this.run(meetingId, { kind: 'server' }, { type: 'clock:tick' }).catch((error: unknown) => {
      this.deps.logger.error('meeting.tick_failed', {
        meetingId,
        error: error instanceof Error ? error.name : 'unknown',
      });
      const m = this.live.get(meetingId);
      if (!m) return;
      m.phaseTimer?.cancel();
      m.phaseTimer = this.deps.clock.setTimer(this.deps.clock.now() + TICK_RETRY_MS, () =>
        this.tick(meetingId),
      );
    });
  }

  /** When the backstop ends the meeting: the limit after the last activity or the planned start. */
  private inactivityDeadline(meetingId: string): number {
    const m = this.live.get(meetingId);
    if (!m) return Infinity;
    return this.limitFrom(m.state, m.lastActivityAt);
  }

  private scheduleInactivity(meetingId: string): void {
    const m = this.live.get(meetingId);
    if (!m) return;
    m.inactivityTimer?.cancel();
    m.inactivityTimer = this.deps.clock.setTimer(this.inactivityDeadline(meetingId), () => {
      this.guarded('meeting.end_failed', meetingId, () =>
        this.queue.run(meetingId, () => this.endInactiveInJob(meetingId)),
      );
    });
  }

  /** The backstop: ends the meeting as `meeting:end` does; if that cannot be stored, purges anyway. */
  private async endInactiveInJob(meetingId: string): Promise<void> {
    // Activity queued before this job may have moved the limit: then it is not due yet. On
    // PostgreSQL activity on another process counts too (SCALE-16): the stored one is read first.
    if (!this.live.has(meetingId)) return;
    if (this.loadsOnDemand) await this.refreshInJob(meetingId);
    if (!this.live.has(meetingId)) return;
    if (this.deps.clock.now() < this.inactivityDeadline(meetingId)) {
      this.scheduleInactivity(meetingId);
      // A stored limit that was claimed early (activity since) is stored again where it is now.
      const m = this.live.get(meetingId);
      if (this.loadsOnDemand && m)
        await this.deps.storage.setDue(meetingId, 'inactivity', this.limitFrom(m.state, m.lastActivityAt));
      return;
    }
    let ended: Result;
    try {
      ended = await this.apply(meetingId, { kind: 'server' }, { type: 'meeting:end' }, {});
    } catch (error) {
      this.deps.logger.error('meeting.end_failed', {
        meetingId,
        error: error instanceof Error ? error.name : 'unknown',
      });
      ended = fail(E.UNAVAILABLE, 'could not store the end');
    }
    if (!ended.ok) await this.purgeInJob(meetingId, 'inactive');
  }

  private async meetingIdByJoinCode(joinCode: string): Promise<string | null> {
    const id = await this.deps.storage.findMeetingByJoinCode(joinCode);
    return id && (await this.ensureLive(id)) ? id : null;
  }

  /** A join code no stored meeting has; inside a command's transaction, asked of that transaction. */
  private async uniqueJoinCode(db: Pick<MeetingTransaction, 'findMeetingByJoinCode'>): Promise<string> {
    for (;;) {
      const code = newJoinCode();
      if (!(await db.findMeetingByJoinCode(code))) return code;
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

/** Resolves when `p` does, or after `limitMs`, whichever comes first. */
async function within(p: Promise<unknown>, limitMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p, new Promise<void>((resolve) => (timer = setTimeout(resolve, limitMs)))]);
  clearTimeout(timer);
}

function sameCounts(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): boolean {
  return a.size === b.size && [...a].every(([seat, n]) => b.get(seat) === n);
}

function stopTimers(m: LiveMeeting): void {
  m.phaseTimer?.cancel();
  m.inactivityTimer?.cancel();
  cancelPresence(m);
}

function cancelPresence(m: LiveMeeting): void {
  if (m.presenceTimer) clearTimeout(m.presenceTimer);
  m.presenceTimer = null;
}
