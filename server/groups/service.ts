import { fail, ok, ERROR_CODES as E, type Result } from '../../shared/errors';
import {
  canAdmit,
  canMerge,
  managesLeaders,
  MAX_DEVICES_PER_MEMBER,
  MAX_LEADERS,
  MAX_LINKS_PER_LEADER,
  MAX_PENDING_REQUESTS,
  mayRevokeLeader,
  meetingFormatOf,
  nextMeetingStatus,
  retention,
  addMonths,
  GROUP_RETENTION_MONTHS,
  DEBRIEF_RETENTION_MONTHS,
  type GroupLanguage,
} from '../../shared/group/rules';
import { LABEL_RETENTION_MONTHS } from '../../shared/group/followUp';
import type { GroupLeaderView, GroupMemberView, GroupSeat, GroupSettings } from '../../shared/group/views';
import type { Clock, TimerHandle } from '../core/clock';
import type { MeetingHub } from '../core/hub';
import type { Logger } from '../core/logger';
import { newId, newJoinCode, newToken, sameHash } from '../security/tokens';
import { skipLost } from './lostKeys';
import { GroupKeyMissingError } from './sealing';
import { GroupAttendance } from './attendance';
import type { RandomSource } from '../core/random';
import { GroupEvaluations } from './evaluation';
import { GroupFollowUps } from './followUps';
import type { GroupIdentity, GroupRow } from './rows';
import { Serial } from './serial';
import type { Atomic, GroupOperations, GroupStore, GuardLock } from './store';

export interface GroupServiceDeps {
  store: GroupStore;
  hub: MeetingHub;
  clock: Clock;
  logger: Logger;
  /** Where an evaluation answer is shuffled in (EVAL-2); the server's injected source. */
  random?: RandomSource;
  /** GROUP-16: months without a meeting after which a group is deleted (18 by default). */
  retentionMonths?: number;
  /** DEBRIEF-3: months after its last change that a debrief page is kept (12 by default). */
  debriefRetentionMonths?: number;
}

type Leader = Extract<GroupIdentity, { kind: 'leader' }>;
type Member = Extract<GroupIdentity, { kind: 'member' }>;

/** How often retention is checked: a group is deleted within a day of its limit. */
export const RETENTION_SWEEP_MS = 24 * 60 * 60_000;

const refused = (message = 'not allowed') => fail(E.FORBIDDEN, message);

/** A secret's stored form for a write: the group's key must be there (it is, while its row is). */
function mustHash(tx: GroupOperations, groupId: string, secret: string, make = false): string {
  const hash = tx.secretHash(groupId, secret, make);
  if (hash === null) throw new GroupKeyMissingError();
  return hash;
}

/**
 * The group's life outside its meetings (SPEC.md GROUP-n): leaders and their links, the roster,
 * the standing member code, and the way into the group's live meeting. Every call names who asks
 * (an identity from a token hash) and checks their rights here, on the server.
 */
export class GroupService {
  readonly attendance: GroupAttendance;
  readonly evaluations: GroupEvaluations;
  readonly followUps: GroupFollowUps;

  /** The group's work per meeting, in the order the hub reported the meeting's events. */
  private meetingTasks: Serial;
  /** Work that must not overlap: per group (starting its meeting), per person (entering it), the sweep. */
  private serially: Serial;
  /** The start-up sweeps (retention, stale proposals), which the server waits for before it listens. */
  readonly started: Promise<void>;

  constructor(private deps: GroupServiceDeps) {
    this.meetingTasks = new Serial(deps.logger);
    this.serially = new Serial(deps.logger);
    this.attendance = new GroupAttendance({ ...deps, meetingTasks: this.meetingTasks });
    this.evaluations = new GroupEvaluations(deps);
    this.followUps = new GroupFollowUps(deps);
    this.started = this.startUp();
    // Its failure is the server's start-up failure (app.listen waits for it), never unheard.
    this.started.catch(() => {});
    this.armRetention();
    // GROUP-12: the group's seat map (and presence) dies with its meeting, however it ends, after
    // the ending's attendance proposal has read the presence (both queued for the meeting).
    deps.hub.onPurge((meetingId) =>
      this.meetingTasks.listen(meetingId, 'purge', () => deps.store.meetingEnded(meetingId)),
    );
  }

  private retentionTimer: TimerHandle | null = null;

  private async startUp(): Promise<void> {
    await this.sweepRetention();
    await this.attendance.start();
  }

  /** GROUP-16: the retention sweep runs once a day (and at start-up). */
  private armRetention(): void {
    const { clock, logger } = this.deps;
    this.retentionTimer = clock.setTimer(clock.now() + RETENTION_SWEEP_MS, () => {
      const now = clock.now();
      // The next day is armed at once: a sweep still running does not delay it.
      this.armRetention();
      this.sweepRetention(now).catch((error: unknown) =>
        logger.error('group.retention_failed', { error: error instanceof Error ? error.name : 'unknown' }),
      );
    });
  }

  stop(): void {
    this.attendance.stop();
    this.evaluations.stop();
    this.retentionTimer?.cancel();
  }

  /**
   * Resolves once the work queued so far is stored (a meeting ended while the server drains
   * leaves its proposal before the store closes).
   */
  async settled(): Promise<void> {
    await Promise.all([this.started.catch(() => {}), this.meetingTasks.settled(), this.serially.settled()]);
  }

  /** Who a bearer token is, within the group of the path; nobody if it belongs to another group. */
  async identify(groupId: string, token: string | null): Promise<GroupIdentity | null> {
    if (!token || token.length < 16 || token.length > 200) return null;
    const hash = this.deps.store.secretHash(groupId, token);
    const who = hash === null ? null : await this.deps.store.identify(hash);
    return who && who.groupId === groupId ? who : null;
  }

  /** The group, with a meeting that vanished (a crash between its end and this file) let go. */
  private async group(groupId: string): Promise<GroupRow | null> {
    const { store, hub } = this.deps;
    const g = await store.getGroup(groupId);
    const meetingId = g?.currentMeetingId;
    // Not ours and not in the storage: gone. A meeting that another process serves is not let go.
    if (g && meetingId && !hub.state(meetingId) && !(await hub.exists(meetingId))) {
      // Queued behind the meeting's own end (its proposal and purge, when it ended just now), and
      // done once however many requests find it.
      await this.meetingTasks.run(meetingId, async () => {
        if ((await store.getGroup(groupId))?.currentMeetingId !== meetingId) return;
        // ATT-2: its presence still becomes a proposal before it goes.
        const planned = g.plan.phases.reduce((sum, p) => sum + p.minutes, 0);
        await this.attendance.propose(g, meetingId, null, planned);
        await store.meetingEnded(meetingId);
      });
      this.attendance.meetingGone(meetingId);
      return { ...g, currentMeetingId: null };
    }
    return g;
  }

  async create(settings: GroupSettings, leaderName: string) {
    const { store, clock } = this.deps;
    const now = clock.now();
    const id = newId();
    const leaderId = newId();
    const token = newToken();
    const recoveryCode = newToken(16);
    const memberCode = await this.uniqueMemberCode();
    await store.transaction(async (tx) => {
      // On PostgreSQL the group's key is made here, with its first hash (CONF-41), and no start-up
      // sweep takes it before the row commits (CONF-42).
      await tx.holdKeys();
      const hash = (secret: string) => mustHash(tx, id, secret, true);
      await tx.insertGroup({
        id,
        ...settings,
        memberCode,
        recoveryHash: hash(recoveryCode),
        nextAt: null,
        currentMeetingId: null,
        createdAt: now,
      });
      await tx.insertLeader({ id: leaderId, groupId: id, name: leaderName, rights: 'owner' });
      await tx.insertLeaderLink(id, leaderId, newId(), hash(token), 'first', now);
    });
    this.deps.logger.info('group.created', { groupId: id });
    return { groupId: id, token, memberCode, recoveryCode };
  }

  async updateSettings(who: Leader, settings: GroupSettings): Promise<Result> {
    await this.deps.store.updateSettings({ id: who.groupId, ...settings });
    return ok(undefined);
  }

  async leaderView(who: Leader, memberLink: (code: string) => string): Promise<GroupLeaderView | null> {
    const { store } = this.deps;
    const g = await this.group(who.groupId);
    if (!g) return null;
    const links = await store.leaderLinks(g.id);
    const leaders = await store.leaders(g.id);
    const members = await store.members(g.id);
    const me = leaders.find((l) => l.id === who.leaderId);
    if (!me) return null;
    return {
      groupId: g.id,
      settings: { name: g.name, language: g.language, mode: g.mode, anonymity: g.anonymity, plan: g.plan },
      you: { leaderId: me.id, linkId: who.linkId, rights: me.rights },
      leaders: leaders.map((l) => ({
        id: l.id,
        name: l.name,
        rights: l.rights,
        accreditation: l.accreditation ?? '',
        links: links.filter((k) => k.leaderId === l.id).map((k) => ({ id: k.id, label: k.label })),
      })),
      members: members.map((m) => ({ id: m.id, name: m.name, status: m.status })),
      memberCode: g.memberCode,
      memberLink: memberLink(g.memberCode),
      nextAt: g.nextAt,
      currentMeetingId: g.currentMeetingId,
      hasRecoveryCode: g.recoveryHash !== null,
      deletesAt: this.retentionOf(g).notice ? this.retentionOf(g).deletesAt : null,
    };
  }

  /** GROUP-3: a co-leader's first link (only who manages leaders adds one). */
  async addLeader(who: Leader, name: string): Promise<Result<{ leaderId: string; token: string }>> {
    const { clock } = this.deps;
    if (!(await this.manages(who)))
      return refused('only the group creator, or a leader they named, adds leaders');
    // Counted and added in one go per group: two requests at once never pass the limit together.
    return this.groupGuard(who.groupId, async (tx, atomic) => {
      if ((await tx.leaders(who.groupId)).length >= MAX_LEADERS)
        return fail(E.LIMIT_REACHED, 'too many leaders');
      const leaderId = newId();
      const token = newToken();
      await atomic(async (t) => {
        await t.insertLeader({ id: leaderId, groupId: who.groupId, name, rights: 'leader' });
        await t.insertLeaderLink(
          who.groupId,
          leaderId,
          newId(),
          mustHash(t, who.groupId, token),
          'first',
          clock.now(),
        );
      });
      return ok({ leaderId, token });
    });
  }

  /** GROUP-2: a link for the asking leader's second device. */
  addDevice(who: Leader, label: string): Promise<Result<{ linkId: string; token: string }>> {
    const { clock } = this.deps;
    return this.groupGuard(who.groupId, async (tx) => {
      const mine = (await tx.leaderLinks(who.groupId)).filter((l) => l.leaderId === who.leaderId);
      if (mine.length >= MAX_LINKS_PER_LEADER) return fail(E.LIMIT_REACHED, 'too many links for one leader');
      const linkId = newId();
      const token = newToken();
      const hash = mustHash(tx, who.groupId, token);
      await tx.insertLeaderLink(who.groupId, who.leaderId, linkId, hash, label, clock.now());
      return ok({ linkId, token });
    });
  }

  /** GROUP-2/3: a leader revokes one of their own links; who manages leaders, anyone's but the owner's. */
  async revokeLink(who: Leader, linkId: string): Promise<Result> {
    const { store } = this.deps;
    const link = (await store.leaderLinks(who.groupId)).find((l) => l.id === linkId);
    if (!link) return fail(E.NOT_FOUND, 'no such link');
    if (link.leaderId !== who.leaderId) {
      const leaders = await store.leaders(who.groupId);
      const target = leaders.find((l) => l.id === link.leaderId);
      const me = leaders.find((l) => l.id === who.leaderId);
      if (!target || !me || !mayRevokeLeader(me, target)) return refused();
    }
    await store.deleteLeaderLink(who.groupId, linkId);
    return ok(undefined);
  }

  /** GROUP-3: revokes a leader with all their links. */
  async revokeLeader(who: Leader, leaderId: string): Promise<Result> {
    const { store } = this.deps;
    const leaders = await store.leaders(who.groupId);
    const me = leaders.find((l) => l.id === who.leaderId);
    const target = leaders.find((l) => l.id === leaderId);
    if (!target) return fail(E.NOT_FOUND, 'no such leader');
    if (!me || !mayRevokeLeader(me, target)) return refused();
    await store.deleteLeader(who.groupId, leaderId);
    return ok(undefined);
  }

  /**
   * GROUP-14: the owner (or a manager) deletes the whole group: its live meeting is ended and
   * purged first, then every row of the group goes in one delete (foreign keys cascade) and the
   * WAL is truncated at once, as a meeting's purge does.
   */
  async deleteGroup(who: Leader, whenScrubbed?: () => void): Promise<Result> {
    if (!(await this.manages(who)))
      return refused('only the group creator, or a leader they named, deletes the group');
    const g = await this.group(who.groupId);
    if (!g) return fail(E.NOT_FOUND, 'no such group');
    if (g.currentMeetingId) {
      const ended = await this.deps.hub.run(g.currentMeetingId, { kind: 'server' }, { type: 'meeting:end' });
      if (!ended.ok) await this.deps.hub.purge(g.currentMeetingId, 'ended');
      // The meeting's end writes to the group (its proposal, its seat map's deletion): done first.
      await this.meetingTasks.idle(g.currentMeetingId);
    }
    await this.deps.store.deleteGroup(g.id, whenScrubbed);
    this.deps.logger.info('group.deleted', { groupId: g.id });
    return ok(undefined);
  }

  /** The retention periods in force (the Privacy page shows them; START: configurable). */
  get retentionPeriods() {
    return {
      groupMonths: this.deps.retentionMonths ?? GROUP_RETENTION_MONTHS,
      debriefMonths: this.deps.debriefRetentionMonths ?? DEBRIEF_RETENTION_MONTHS,
      labelMonths: LABEL_RETENTION_MONTHS,
    };
  }

  /** GROUP-16: when this group will be deleted, shown on its pages from 30 days before. */
  private retentionOf(g: GroupRow, now = this.deps.clock.now()) {
    return retention(now, g.lastMeetingAt ?? g.createdAt, this.deps.retentionMonths);
  }

  /** DEBRIEF-1: the leaders' pages, one per meeting (a confirmed or proposed session), newest first. */
  async debriefs(who: Leader) {
    const { store } = this.deps;
    const pages = new Map((await store.debriefs(who.groupId)).map((d) => [d.id, d]));
    for (const s of await store.sessions(who.groupId))
      if (!pages.has(s.id))
        pages.set(s.id, { id: s.id, meetingAt: s.startedAt, text: '', version: 0, updatedAt: 0 });
    return [...pages.values()].sort((a, b) => b.meetingAt - a.meetingAt);
  }

  /**
   * DEBRIEF-2: saves a page if nobody saved since the version the leader started from; otherwise
   * answers `wrong-status` with the stored page, and the leader's client keeps both texts.
   */
  async saveDebrief(who: Leader, id: string, text: string, base: number): Promise<Result> {
    const page = (await this.debriefs(who)).find((d) => d.id === id);
    if (!page) return fail(E.NOT_FOUND, 'no such meeting');
    if (
      !(await this.deps.store.putDebrief(who.groupId, id, page.meetingAt, text, base, this.deps.clock.now()))
    )
      return fail(E.WRONG_STATUS, 'another leader saved this page first');
    return ok(undefined);
  }

  async deleteDebrief(who: Leader, id: string): Promise<Result> {
    await this.deps.store.deleteDebrief(who.groupId, id);
    return ok(undefined);
  }

  /** GROUP-16: deletes every group whose last meeting is longer ago than the limit (none live). */
  sweepRetention(now = this.deps.clock.now()): Promise<number> {
    // One sweep at a time: a day's sweep waits for the one before it.
    return this.serially.run('retention', async () => {
      const { store } = this.deps;
      // DEBRIEF-3: a debrief page nobody changed for 12 months (or as configured) goes.
      await store.deleteStaleDebriefs(addMonths(now, -this.retentionPeriods.debriefMonths));
      // FOLLOW-8: a case label nobody renewed for 6 months goes.
      await this.followUps.sweep(now);
      let deleted = 0;
      for (const id of await store.allGroupIds()) {
        // CONF-43: a group whose key went under the running process is skipped (dropped at the
        // next open); the sweep goes on with the others.
        const expired = await skipLost(this.deps.logger, id, async () => {
          // A meeting that vanished is let go first, outside the lock (its end writes to the group).
          await this.group(id);
          // Judged again under the group's lock (SCALE-42): a meeting another process just started
          // keeps the group, and of two processes sweeping at once one deletes it.
          return store.guard({ group: id }, async (tx) => {
            const g = await tx.getGroup(id);
            if (!g || g.currentMeetingId || !this.retentionOf(g, now).due) return false;
            await tx.deleteGroup(g.id);
            return true;
          });
        });
        if (!expired) continue;
        this.deps.logger.info('group.expired', { groupId: id });
        deleted++;
      }
      return deleted;
    });
  }

  /** GROUP-3: the owner names (or un-names) a leader who may then manage leaders too. */
  async setManager(who: Leader, leaderId: string, on: boolean): Promise<Result> {
    const { store } = this.deps;
    const leaders = await store.leaders(who.groupId);
    if (leaders.find((l) => l.id === who.leaderId)?.rights !== 'owner')
      return refused('only the owner names managers');
    const target = leaders.find((l) => l.id === leaderId);
    if (!target) return fail(E.NOT_FOUND, 'no such leader');
    if (target.rights === 'owner') return fail(E.BAD_REQUEST, 'the owner keeps their rights');
    await store.setRights(who.groupId, leaderId, on ? 'manager' : 'leader');
    return ok(undefined);
  }

  /**
   * GROUP-4: the recovery code gives the owner a new link and revokes their old ones (a lost
   * phone); a new code replaces the used one. Wrong codes are rate-limited by the route.
   */
  recover(groupId: string, code: string): Promise<Result<{ token: string; recoveryCode: string }>> {
    const { clock } = this.deps;
    // One at a time per group: a code is used once, even by two requests sent together, also to
    // two processes.
    return this.groupGuard(groupId, async (tx, atomic) => {
      const g = await tx.getGroup(groupId);
      const tried = tx.secretHash(groupId, code);
      if (!g?.recoveryHash || tried === null || !sameHash(g.recoveryHash, tried))
        return fail(E.UNAUTHENTICATED, 'wrong recovery code');
      const owner = (await tx.leaders(groupId)).find((l) => l.rights === 'owner');
      if (!owner) return fail(E.NOT_FOUND, 'no owner');
      const token = newToken();
      const recoveryCode = newToken(16);
      await atomic(async (t) => {
        await t.deleteLeaderLinks(groupId, owner.id);
        const hash = (secret: string) => mustHash(t, groupId, secret);
        await t.insertLeaderLink(groupId, owner.id, newId(), hash(token), 'recovered', clock.now());
        await t.setRecoveryHash(groupId, hash(recoveryCode));
      });
      this.deps.logger.info('group.recovered', { groupId });
      return ok({ token, recoveryCode });
    });
  }

  /** GROUP-5: a new member code; the old one stops working at once, admitted devices keep working. */
  async rotateMemberCode(who: Leader): Promise<Result<{ memberCode: string }>> {
    const memberCode = await this.uniqueMemberCode();
    await this.deps.store.setMemberCode(who.groupId, memberCode);
    return ok({ memberCode });
  }

  /** GROUP-5: what the member code opens: the group's name, so the person knows where they join. */
  async resolveCode(code: string): Promise<{ groupId: string; groupName: string } | null> {
    const g = await this.deps.store.groupByMemberCode(code);
    return g ? { groupId: g.id, groupName: g.name } : null;
  }

  /** GROUP-6/8: a join request (a first device, or a new device of someone already on the roster). */
  async requestToJoin(
    code: string,
    name: string,
  ): Promise<Result<{ groupId: string; memberId: string; token: string }>> {
    const { store, clock } = this.deps;
    const g = await store.groupByMemberCode(code);
    if (!g) return fail(E.NOT_FOUND, 'no group with this code');
    return this.groupGuard(g.id, async (tx, atomic) => {
      const pending = (await tx.members(g.id)).filter((m) => m.status === 'pending').length;
      if (pending >= MAX_PENDING_REQUESTS) return fail(E.LIMIT_REACHED, 'too many requests wait already');
      const memberId = newId();
      const token = newToken();
      const now = clock.now();
      await atomic(async (t) => {
        await t.insertMember({ id: memberId, groupId: g.id, name, status: 'pending', createdAt: now });
        await t.insertDevice(g.id, memberId, newId(), mustHash(t, g.id, token), now);
      });
      return ok({ groupId: g.id, memberId, token });
    });
  }

  admit(who: Leader, memberId: string): Promise<Result> {
    return this.groupGuard(who.groupId, async (tx) => {
      const verdict = canAdmit(await tx.members(who.groupId), memberId);
      if (!verdict.ok)
        return verdict.reason === 'roster-full'
          ? fail(E.LIMIT_REACHED, 'the roster is full')
          : fail(E.NOT_FOUND, 'no such request');
      await tx.setMemberStatus(who.groupId, memberId, 'admitted');
      return ok(undefined);
    });
  }

  /** GROUP-8: the request's device now belongs to the roster entry; the request is gone. */
  merge(who: Leader, requestId: string, intoId: string): Promise<Result> {
    return this.groupGuard(who.groupId, async (tx, atomic) => {
      const verdict = canMerge(await tx.members(who.groupId), requestId, intoId);
      if (!verdict.ok)
        return fail(E.NOT_FOUND, verdict.reason === 'not-pending' ? 'no such request' : 'no such member');
      if ((await tx.countDevices(intoId)) >= MAX_DEVICES_PER_MEMBER)
        return fail(E.LIMIT_REACHED, 'too many devices for one member');
      await atomic(async (t) => {
        await t.moveDevices(who.groupId, requestId, intoId);
        await t.deleteMember(who.groupId, requestId);
      });
      return ok(undefined);
    });
  }

  /** GROUP-9: a leader removes a member (or declines a request), devices and all. */
  async removeMember(who: Leader, memberId: string): Promise<Result> {
    const { store } = this.deps;
    if (!(await store.members(who.groupId)).some((m) => m.id === memberId))
      return fail(E.NOT_FOUND, 'no such member');
    await store.deleteMember(who.groupId, memberId);
    return ok(undefined);
  }

  /** GROUP-9: a leader revokes every device of a member; the roster entry stays. */
  async revokeMemberDevices(who: Leader, memberId: string): Promise<Result> {
    const { store } = this.deps;
    if (!(await store.members(who.groupId)).some((m) => m.id === memberId))
      return fail(E.NOT_FOUND, 'no such member');
    await store.deleteMemberDevices(who.groupId, memberId);
    return ok(undefined);
  }

  /** GROUP-9: a member signs out on this device (the roster entry stays; a pending request goes). */
  async signOut(who: Member): Promise<Result> {
    const { store } = this.deps;
    const me = (await store.members(who.groupId)).find((m) => m.id === who.memberId);
    await store.transaction(async (tx) => {
      await tx.deleteDevice(who.groupId, who.deviceId);
      if (me?.status === 'pending') await tx.deleteMember(who.groupId, who.memberId);
    });
    return ok(undefined);
  }

  /** GROUP-15: the member leaves: their entry goes, with their devices and their attendance. */
  async leave(who: Member): Promise<Result> {
    await this.deps.store.deleteMember(who.groupId, who.memberId);
    this.deps.logger.info('group.member_left', { groupId: who.groupId });
    return ok(undefined);
  }

  /** GROUP-15: everything the group stores that is linked to this member's roster entry. */
  async memberExport(who: Member) {
    const { store } = this.deps;
    const g = await this.group(who.groupId);
    const me = g && (await store.members(g.id)).find((m) => m.id === who.memberId);
    if (!g || !me) return null;
    const sessions = new Map((await store.sessions(g.id)).map((s) => [s.id, s]));
    return {
      group: { name: g.name, language: g.language, mode: g.mode },
      member: { name: me.name, status: me.status, joinedAt: me.createdAt },
      devices: await store.devicesOf(g.id, me.id),
      // FOLLOW-4: the case labels kept with this member's yes, as presenter.
      caseLabels: (await store.labels(g.id))
        .filter((l) => l.presenterId === me.id)
        .map((l) => ({ label: l.label, caseAt: l.caseAt, followUp: l.followUp, renewedAt: l.renewedAt })),
      attendance: (await store.attendance(g.id))
        .filter((a) => a.memberId === me.id)
        .map((a) => {
          const s = sessions.get(a.sessionId);
          return {
            startedAt: s?.startedAt ?? null,
            endedAt: s?.endedAt ?? null,
            mode: s?.mode ?? null,
            status: s?.status ?? null,
            doubleSessions: s?.doubleSessions ?? null,
            leaderNames: s?.leaderNames ?? [],
            attended: a.attended,
            place: a.place,
          };
        }),
    };
  }

  async memberView(who: Member): Promise<GroupMemberView | null> {
    const g = await this.group(who.groupId);
    const me = g && (await this.deps.store.members(g.id)).find((m) => m.id === who.memberId);
    if (!g || !me) return null;
    return {
      groupId: g.id,
      groupName: g.name,
      language: g.language,
      you: { memberId: me.id, name: me.name, status: me.status },
      nextAt: g.nextAt,
      deletesAt: this.retentionOf(g).notice ? this.retentionOf(g).deletesAt : null,
      // A pending request learns nothing of the group's meetings.
      meeting:
        me.status === 'admitted'
          ? nextMeetingStatus(this.deps.clock.now(), g.nextAt, g.currentMeetingId !== null)
          : 'none',
    };
  }

  /** ATT-6: a member's own confirmed record. */
  async memberRecord(who: Member) {
    const g = await this.group(who.groupId);
    const me = g && (await this.deps.store.members(g.id)).find((m) => m.id === who.memberId);
    if (!g || me?.status !== 'admitted') return null;
    return this.attendance.memberRecord(g, me.id, me.name);
  }

  /** CERT-1/2: a member produces their own certificate; a leader anyone's on the roster. */
  async certificate(
    who: GroupIdentity,
    memberId: string | null,
    opts: { from: number; to: number; place: string; timeZone: string; lang: GroupLanguage | null },
  ) {
    const g = await this.group(who.groupId);
    if (!g) return fail(E.NOT_FOUND, 'no such group');
    const target = who.kind === 'member' ? who.memberId : memberId;
    if (who.kind === 'member' && memberId !== null && memberId !== who.memberId)
      return refused('only your own');
    const roster = await this.deps.store.members(g.id);
    const member = roster.find((m) => m.id === target && m.status === 'admitted');
    if (!member) return fail(E.NOT_FOUND, 'no such member');
    return ok(
      await this.attendance.certificate(g, member.id, member.name, {
        ...opts,
        lang: opts.lang ?? g.language,
      }),
    );
  }

  /** CERT-2: the asking leader's accreditation line. */
  async setAccreditation(who: Leader, text: string): Promise<Result> {
    await this.deps.store.setAccreditation(who.groupId, who.leaderId, text);
    return ok(undefined);
  }

  async sessions(who: Leader) {
    await this.group(who.groupId);
    return this.attendance.sessions(who.groupId);
  }

  /** GROUP-10: the next meeting's date, or none. */
  async schedule(who: Leader, at: number | null): Promise<Result> {
    await this.deps.store.setNextAt(who.groupId, at);
    return ok(undefined);
  }

  /**
   * GROUP-10: starts the group's meeting from its default plan (or the plan the leader edited);
   * the starting leader holds its leader seat. One live meeting per group at a time.
   */
  startMeeting(who: Leader, plan: GroupSettings['plan'] | null, title: string | null) {
    // One start at a time per group: two leaders pressing start together make one meeting, also
    // on two processes (SCALE-41).
    return this.serially.run(`group/${who.groupId}`, async () => {
      // A meeting that vanished is let go first, outside the lock (its end writes to the group's row).
      await this.group(who.groupId);
      return this.deps.store.guard({ group: who.groupId }, (tx, atomic) =>
        this.startOne(tx, atomic, who, plan, title),
      );
    });
  }

  private async startOne(
    tx: GroupOperations,
    atomic: Atomic,
    who: Leader,
    plan: GroupSettings['plan'] | null,
    title: string | null,
  ) {
    const { hub } = this.deps;
    // Read under the lock: a start another process committed is seen here.
    const g = await tx.getGroup(who.groupId);
    if (!g) return fail(E.NOT_FOUND, 'no such group');
    if (g.currentMeetingId) return fail(E.WRONG_STATUS, 'the group already has a live meeting');
    const me = (await tx.leaders(g.id)).find((l) => l.id === who.leaderId);
    const used = plan ?? g.plan;
    const created = await hub.create({
      title: title || g.name,
      template: { id: 'group', name: used.name, phases: used.phases },
      settings: { anonymity: g.anonymity },
      format: meetingFormatOf(g.mode),
      leaderName: me?.name ?? '',
      inGroup: true,
    });
    const leaderSeat = created.state.seats[0];
    const now = this.deps.clock.now();
    await atomic(async (t) => {
      await t.setCurrentMeeting(g.id, created.state.id);
      await t.setLastMeeting(g.id, now);
      await t.setNextAt(g.id, null);
      if (leaderSeat) await t.putMeetingSeat(g.id, created.state.id, `l:${who.leaderId}`, leaderSeat.id);
    });
    this.attendance.meetingStarted(created.state.id);
    this.deps.logger.info('group.meeting_started', { groupId: g.id, meetingId: created.state.id });
    return ok(created);
  }

  /**
   * GROUP-12: the way into the group's live meeting for a leader or an admitted member: their
   * own seat if they have one in it, else a new one under their roster name (leaders as
   * co-leaders). No join code, no name typed.
   */
  async enter(who: GroupIdentity): Promise<Result<GroupSeat>> {
    const { store } = this.deps;
    const g = await this.group(who.groupId);
    if (!g) return fail(E.NOT_FOUND, 'no such group');
    let person: string;
    let name: string;
    if (who.kind === 'member') {
      const me = (await store.members(g.id)).find((m) => m.id === who.memberId);
      if (me?.status !== 'admitted') return refused('a leader has not admitted you yet');
      person = `m:${me.id}`;
      name = me.name;
    } else {
      const me = (await store.leaders(g.id)).find((l) => l.id === who.leaderId);
      if (!me) return refused();
      person = `l:${me.id}`;
      name = me.name;
    }
    const meetingId = g.currentMeetingId;
    if (!meetingId) return fail(E.WRONG_STATUS, 'the group has no live meeting now');
    // One at a time per person: two tabs entering together share one seat, also on two processes.
    const key = `person/${meetingId}/${person}`;
    return this.guarded(key, { key }, (tx) =>
      this.seatOf(tx, g.id, meetingId, person, name, who.kind === 'leader'),
    );
  }

  /** The person's own seat in the meeting, or a new one under their roster name. */
  private async seatOf(
    tx: GroupOperations,
    groupId: string,
    meetingId: string,
    person: string,
    name: string,
    asLeader: boolean,
  ): Promise<Result<GroupSeat>> {
    const { hub } = this.deps;
    const seatId = await tx.meetingSeat(meetingId, person);
    const roleOf = (id: string): GroupSeat['role'] => {
      const role = hub.state(meetingId)?.seats.find((s) => s.id === id)?.role;
      return role === 'leader' || role === 'co-leader' ? role : 'participant';
    };
    if (seatId) {
      const token = await hub.issueSeatToken(meetingId, seatId);
      if (token) return ok({ meetingId, seatId, token, role: roleOf(seatId) });
    }
    const seat = await hub.joinAsGroupPerson(meetingId, name, asLeader);
    if (!seat.ok) return seat;
    await tx.putMeetingSeat(groupId, meetingId, person, seat.value.seatId);
    return ok({
      meetingId,
      seatId: seat.value.seatId,
      token: seat.value.token,
      role: roleOf(seat.value.seatId),
    });
  }

  /**
   * SCALE-40: a read-modify-write that runs once at a time: in this process by its queue (which
   * also keeps the order requests came in), across processes by the store's lock.
   */
  private guarded<T>(
    key: string,
    lock: GuardLock,
    fn: (tx: GroupOperations, atomic: Atomic) => Promise<T>,
  ): Promise<T> {
    return this.serially.run(key, () => this.deps.store.guard(lock, fn));
  }

  private groupGuard<T>(groupId: string, fn: (tx: GroupOperations, atomic: Atomic) => Promise<T>) {
    return this.guarded(`group/${groupId}`, { group: groupId }, fn);
  }

  private async manages(who: Leader): Promise<boolean> {
    const me = (await this.deps.store.leaders(who.groupId)).find((l) => l.id === who.leaderId);
    return me !== undefined && managesLeaders(me.rights);
  }

  private async uniqueMemberCode(): Promise<string> {
    for (;;) {
      const code = newJoinCode();
      if (!(await this.deps.store.groupByMemberCode(code))) return code;
    }
  }
}
