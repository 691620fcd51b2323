// server/main.ts
import { networkInterfaces } from "node:os";
import path5 from "node:path";
import { fileURLToPath } from "node:url";

// server/app.ts
import { existsSync } from "node:fs";
import { createServer } from "node:http";
import path from "node:path";
import express3 from "express";
import { Server } from "socket.io";

// shared/errors.ts
var ERROR_CODES = {
  BAD_REQUEST: "bad-request",
  UNAUTHENTICATED: "unauthenticated",
  FORBIDDEN: "forbidden",
  NOT_FOUND: "not-found",
  RATE_LIMITED: "rate-limited",
  WRONG_STATUS: "wrong-status",
  NO_SUCH_PHASE: "no-such-phase",
  NO_SUCH_SEAT: "no-such-seat",
  NOT_PAUSED: "not-paused",
  NOT_RUNNING: "not-running",
  BOARD_CLOSED: "board-closed",
  KIND_NOT_ALLOWED: "kind-not-allowed",
  LISTENING: "presenter-listening",
  NO_SUCH_NOTE: "no-such-note",
  LIMIT_REACHED: "limit-reached",
  PROTOCOL_MISMATCH: "protocol-mismatch",
  UNAVAILABLE: "unavailable"
};
function ok(value) {
  return { ok: true, value };
}
function fail(code, message) {
  return { ok: false, error: { code, message } };
}
function rateLimited(retryAfterMs, message = "too many requests, slow down") {
  return { ok: false, error: { code: ERROR_CODES.RATE_LIMITED, message, retryAfterMs } };
}

// shared/meeting/phases.ts
var PHASE_KINDS = [
  "opening",
  "case-choice",
  "presentation",
  "questions",
  "speculation",
  "return",
  "closing"
];
var CASE_PHASE_KINDS = [
  "case-choice",
  "presentation",
  "questions",
  "speculation",
  "return"
];
var NOTE_KINDS = [
  "association",
  "feeling",
  "image",
  "patient-view",
  "doctor-view",
  "relationship",
  "question"
];
var SPECULATION_KINDS = [
  "association",
  "feeling",
  "image",
  "patient-view",
  "doctor-view",
  "relationship"
];
var MINUTE_MS = 6e4;
var MAX_PHASE_MS = 180 * MINUTE_MS;
var MAX_PHASES = 24;
var MAX_CASES = 2;
function defaultRules(kind) {
  switch (kind) {
    case "opening":
    case "case-choice":
    case "presentation":
    case "closing":
      return { postKinds: [], boardVisible: false, presenterListens: false };
    case "questions":
      return { postKinds: ["question"], boardVisible: false, presenterListens: false };
    case "speculation":
      return { postKinds: [...SPECULATION_KINDS], boardVisible: true, presenterListens: true };
    case "return":
      return { postKinds: [], boardVisible: true, presenterListens: false };
  }
}

// shared/meeting/templates.ts
function casePhases(caseIndex, minutes2) {
  return Object.entries(minutes2).map(([kind, m]) => ({
    kind,
    minutes: m,
    caseIndex
  }));
}
var BUILT_IN_TEMPLATES = [
  {
    id: "classic-90-one-case",
    nameKey: "template.classic90one",
    phases: [
      { kind: "opening", minutes: 5, caseIndex: null },
      ...casePhases(0, { "case-choice": 3, presentation: 10, questions: 10, speculation: 40, return: 12 }),
      { kind: "closing", minutes: 10, caseIndex: null }
    ]
  },
  {
    id: "classic-90-two-cases",
    nameKey: "template.classic90two",
    phases: [
      ...casePhases(0, { presentation: 8, questions: 7, speculation: 22, return: 6 }),
      ...casePhases(1, { presentation: 8, questions: 7, speculation: 22, return: 6 }),
      { kind: "closing", minutes: 4, caseIndex: null }
    ]
  },
  {
    id: "step-back-30",
    nameKey: "template.stepBack30",
    phases: casePhases(0, { presentation: 10, questions: 5, speculation: 10, return: 5 })
  }
];
var DEFAULT_TEMPLATE_ID = "classic-90-one-case";
function findBuiltInTemplate(id2) {
  return BUILT_IN_TEMPLATES.find((t) => t.id === id2);
}
function planFromTemplate(template, makeId) {
  return template.phases.map((p, i) => ({
    id: makeId(i),
    kind: p.kind,
    plannedMs: p.minutes * MINUTE_MS,
    caseIndex: p.caseIndex,
    rules: defaultRules(p.kind)
  }));
}

// shared/meeting/create.ts
var DEFAULT_SETTINGS = {
  anonymity: "anonymous",
  release: "batch",
  timerVisibility: "leaders",
  autoAdvance: false,
  locked: false,
  boardOpen: true
};
function createMeetingState(m) {
  const phases = planFromTemplate(m.template, (i) => `p${i + 1}`);
  const caseCount = Math.max(1, ...phases.map((p) => (p.caseIndex ?? 0) + 1));
  return {
    id: m.id,
    title: m.title,
    createdAt: m.now,
    plannedStartAt: m.plannedStartAt ?? null,
    status: "lobby",
    settings: { ...DEFAULT_SETTINGS, ...m.settings },
    phases,
    current: null,
    cases: Array.from({ length: caseCount }, () => ({ presenterSeatId: null })),
    seats: [{ id: m.leaderSeatId, role: "leader", name: m.leaderName, admitted: true, joinedAt: m.now }],
    joinCodeVersion: 0,
    endedAt: null,
    nextPhaseSeq: phases.length
  };
}

// shared/protocol-version.ts
var PROTOCOL_VERSION = 2;

// shared/meeting/roles.ts
function findSeat(state, seatId) {
  return state.seats.find((s) => s.id === seatId);
}
function isLeaderRole(role) {
  return role === "leader" || role === "co-leader";
}
function currentCaseIndex(state) {
  if (!state.current) return 0;
  for (let i = state.current.index; i >= 0; i--) {
    const c = state.phases[i]?.caseIndex;
    if (c !== null && c !== void 0) return c;
  }
  return 0;
}
function effectiveRole(state, seat) {
  if (seat.role === "participant" && state.cases[currentCaseIndex(state)]?.presenterSeatId === seat.id) {
    return "presenter";
  }
  return seat.role;
}
function canPostNote(state, seat, kind) {
  if (!seat.admitted) return { ok: false, reason: "forbidden" };
  const role = effectiveRole(state, seat);
  if (role === "observer" || role === "projector") return { ok: false, reason: "forbidden" };
  if (state.status !== "running" || !state.current) return { ok: false, reason: "wrong-status" };
  const phase = state.phases[state.current.index];
  if (!phase) return { ok: false, reason: "wrong-status" };
  if (role === "presenter" && (phase.rules.presenterListens || kind === "question")) {
    return { ok: false, reason: "presenter-listening" };
  }
  if (!state.settings.boardOpen) return { ok: false, reason: "board-closed" };
  if (!phase.rules.postKinds.includes(kind)) return { ok: false, reason: "kind-not-allowed" };
  return { ok: true };
}

// shared/meeting/time.ts
function remainingMs(timing, now) {
  return timing.state === "running" ? timing.endsAt - now : timing.remainingMs;
}
function projectedEndAt(state, now) {
  if (state.status === "ended") return state.endedAt;
  let at = now;
  let from = 0;
  if (state.current) {
    at += Math.max(0, remainingMs(state.current.timing, now));
    from = state.current.index + 1;
  }
  for (let i = from; i < state.phases.length; i++) at += state.phases[i]?.plannedMs ?? 0;
  return at;
}
function nextDeadline(state) {
  if (state.status !== "running" || !state.settings.autoAdvance || !state.current) return null;
  if (state.current.timing.state !== "running") return null;
  if (state.current.index >= state.phases.length - 1) return null;
  return state.current.timing.endsAt;
}

// shared/meeting/project.ts
function projectView(state, seatId, ctx) {
  const me = findSeat(state, seatId);
  if (!me) return null;
  const myRole = effectiveRole(state, me);
  const leader = isLeaderRole(myRole) && me.admitted;
  const projector = myRole === "projector";
  const admitted = state.seats.filter((s) => s.admitted);
  const connected = admitted.filter((s) => (ctx.connections.get(s.id) ?? 0) > 0).length;
  const view = {
    protocolVersion: PROTOCOL_VERSION,
    serverNow: ctx.now,
    meetingId: state.id,
    title: state.title,
    status: state.status,
    anonymity: state.settings.anonymity,
    release: state.settings.release,
    timerVisibility: state.settings.timerVisibility,
    autoAdvance: state.settings.autoAdvance,
    locked: state.settings.locked,
    boardOpen: state.settings.boardOpen,
    phases: state.phases,
    currentIndex: state.current?.index ?? null,
    cases: state.cases,
    presence: { connected, total: admitted.length },
    you: { seatId: me.id, role: me.role, effectiveRole: myRole, name: me.name, admitted: me.admitted }
  };
  if (!me.admitted) return view;
  const cur = state.current;
  if (cur && (leader || projector || state.settings.timerVisibility === "everyone")) {
    const timer = cur.timing.state === "running" ? { state: "running", startedAt: cur.startedAt, endsAt: cur.timing.endsAt, remainingMs: null } : { state: "paused", startedAt: cur.startedAt, endsAt: null, remainingMs: cur.timing.remainingMs };
    view.timer = timer;
  }
  if (!projector) {
    view.seats = admitted.map((s) => ({
      id: s.id,
      name: s.name,
      role: s.role,
      effectiveRole: effectiveRole(state, s),
      connected: (ctx.connections.get(s.id) ?? 0) > 0
    }));
  }
  if (leader || projector) view.joinCode = ctx.joinCode;
  if ((leader || projector) && ctx.phoneOrigins?.length) view.phoneOrigins = [...ctx.phoneOrigins];
  if (leader) {
    view.projectedEndAt = projectedEndAt(state, ctx.now) ?? void 0;
    view.waiting = state.seats.filter((s) => !s.admitted).map((s) => ({ id: s.id, name: s.name, joinedAt: s.joinedAt }));
    view.connections = Object.fromEntries(ctx.connections);
  }
  return view;
}

// shared/meeting/seatLimits.ts
var MAX_ADMITTED_SEATS = 40;
var MAX_WAITING_SEATS = 40;
var MAX_PROJECTOR_SEATS = 3;
function admittedSeatCount(s) {
  return s.seats.filter((x) => x.admitted && x.role !== "projector").length;
}
function limit(message) {
  return { code: ERROR_CODES.LIMIT_REACHED, message };
}
function seatCapReached(s, role, admitted) {
  if (role === "projector") {
    const projectors = s.seats.filter((x) => x.role === "projector").length;
    return projectors >= MAX_PROJECTOR_SEATS ? limit(`at most ${MAX_PROJECTOR_SEATS} projector seats`) : null;
  }
  if (!admitted) {
    const waiting = s.seats.filter((x) => !x.admitted).length;
    return waiting >= MAX_WAITING_SEATS ? limit(`at most ${MAX_WAITING_SEATS} seats waiting`) : null;
  }
  return admissionCapReached(s);
}
function admissionCapReached(s) {
  return admittedSeatCount(s) >= MAX_ADMITTED_SEATS ? limit(`at most ${MAX_ADMITTED_SEATS} seats`) : null;
}

// shared/meeting/transition.ts
var SERVER_ONLY = /* @__PURE__ */ new Set(["seat:join", "clock:tick"]);
function transition(state, command, now, actor) {
  const auth = authorize(state, command, actor);
  if (auth) return { ok: false, error: auth };
  if (state.status === "ended") return fail(ERROR_CODES.WRONG_STATUS, "the meeting has ended");
  const next = structuredClone(state);
  const effects = [];
  const error = apply(next, command, now, effects);
  if (error) return { ok: false, error };
  if (actor.kind === "seat") settleOverdue(next, now, effects);
  return { ok: true, state: next, effects };
}
function authorize(state, command, actor) {
  if (SERVER_ONLY.has(command.type)) {
    return actor.kind === "server" ? null : { code: ERROR_CODES.FORBIDDEN, message: "server-only command" };
  }
  if (actor.kind === "server") return null;
  const seat = findSeat(state, actor.seatId);
  if (!seat) return { code: ERROR_CODES.UNAUTHENTICATED, message: "unknown seat" };
  if (!seat.admitted || !isLeaderRole(seat.role)) {
    return { code: ERROR_CODES.FORBIDDEN, message: `${command.type} is for leaders only` };
  }
  return null;
}
function err(code, message) {
  return { code, message };
}
function apply(s, c, now, fx) {
  switch (c.type) {
    case "meeting:start": {
      if (s.status !== "lobby") return err(ERROR_CODES.WRONG_STATUS, "already started");
      if (s.phases.length === 0) return err(ERROR_CODES.NO_SUCH_PHASE, "the meeting has no phases");
      s.status = "running";
      enter(s, 0, now, fx);
      return null;
    }
    case "meeting:end": {
      leave(s, fx);
      s.status = "ended";
      s.current = null;
      s.endedAt = now;
      fx.push({ type: "meeting-ended" });
      return null;
    }
    case "timer:pause": {
      const cur = running(s);
      if (!cur) return err(ERROR_CODES.NOT_RUNNING, "no running phase");
      if (cur.timing.state !== "running") return err(ERROR_CODES.NOT_RUNNING, "already paused");
      cur.timing = { state: "paused", remainingMs: cur.timing.endsAt - now, pausedAt: now };
      return null;
    }
    case "timer:resume": {
      const cur = running(s);
      if (!cur) return err(ERROR_CODES.NOT_RUNNING, "no running phase");
      if (cur.timing.state !== "paused") return err(ERROR_CODES.NOT_PAUSED, "not paused");
      cur.startedAt += now - cur.timing.pausedAt;
      cur.timing = { state: "running", endsAt: now + cur.timing.remainingMs };
      return null;
    }
    case "timer:adjust": {
      const cur = running(s);
      if (!cur) return err(ERROR_CODES.NOT_RUNNING, "no running phase");
      const delta = c.minutes * MINUTE_MS;
      if (cur.timing.state === "running") cur.timing.endsAt += delta;
      else cur.timing.remainingMs += delta;
      return null;
    }
    case "phase:next": {
      const cur = running(s);
      if (!cur) return err(ERROR_CODES.NOT_RUNNING, "no running phase");
      if (cur.index >= s.phases.length - 1) return err(ERROR_CODES.NO_SUCH_PHASE, "this is the last phase");
      move(s, cur.index + 1, now, fx);
      return null;
    }
    case "phase:previous": {
      const cur = running(s);
      if (!cur) return err(ERROR_CODES.NOT_RUNNING, "no running phase");
      if (cur.index === 0) return err(ERROR_CODES.NO_SUCH_PHASE, "this is the first phase");
      move(s, cur.index - 1, now, fx);
      return null;
    }
    case "phase:jump": {
      if (s.status !== "running") return err(ERROR_CODES.WRONG_STATUS, "the meeting is not running");
      const index = s.phases.findIndex((p) => p.id === c.phaseId);
      if (index < 0) return err(ERROR_CODES.NO_SUCH_PHASE, "no such phase");
      move(s, index, now, fx);
      return null;
    }
    case "phase:setDuration": {
      const index = s.phases.findIndex((p) => p.id === c.phaseId);
      const phase = s.phases[index];
      if (!phase) return err(ERROR_CODES.NO_SUCH_PHASE, "no such phase");
      phase.plannedMs = c.minutes * MINUTE_MS;
      const cur = s.current;
      if (cur && cur.index === index) {
        const endsAt = cur.startedAt + phase.plannedMs;
        if (cur.timing.state === "running") cur.timing.endsAt = endsAt;
        else cur.timing.remainingMs = endsAt - cur.timing.pausedAt;
      }
      return null;
    }
    case "phase:add": {
      if (s.phases.length >= MAX_PHASES) return err(ERROR_CODES.LIMIT_REACHED, `at most ${MAX_PHASES} phases`);
      if (c.caseIndex !== null && c.caseIndex >= s.cases.length) return err(ERROR_CODES.BAD_REQUEST, "no such case");
      let at = 0;
      if (c.afterPhaseId !== null) {
        const after = s.phases.findIndex((p) => p.id === c.afterPhaseId);
        if (after < 0) return err(ERROR_CODES.NO_SUCH_PHASE, "no such phase");
        at = after + 1;
      }
      if (s.current && at <= s.current.index) s.current.index += 1;
      s.phases.splice(at, 0, newPhase(s, c.kind, c.minutes * MINUTE_MS, c.caseIndex));
      return null;
    }
    case "phase:remove": {
      const index = s.phases.findIndex((p) => p.id === c.phaseId);
      if (index < 0) return err(ERROR_CODES.NO_SUCH_PHASE, "no such phase");
      if (s.current?.index === index) return err(ERROR_CODES.WRONG_STATUS, "the current phase cannot be removed");
      if (s.phases.length === 1) return err(ERROR_CODES.WRONG_STATUS, "a meeting needs at least one phase");
      s.phases.splice(index, 1);
      if (s.current && index < s.current.index) s.current.index -= 1;
      return null;
    }
    case "case:add": {
      if (s.cases.length >= MAX_CASES) return err(ERROR_CODES.LIMIT_REACHED, `at most ${MAX_CASES} cases`);
      const last = s.cases.length - 1;
      const template = s.phases.filter((p) => p.caseIndex === last && CASE_PHASE_KINDS.includes(p.kind));
      if (template.length === 0) return err(ERROR_CODES.NO_SUCH_PHASE, "the meeting has no case phases to repeat");
      if (s.phases.length + template.length > MAX_PHASES)
        return err(ERROR_CODES.LIMIT_REACHED, `at most ${MAX_PHASES} phases`);
      const lastCaseEnd = s.phases.findLastIndex((p) => p.caseIndex === last);
      const copies = template.map((p) => newPhase(s, p.kind, p.plannedMs, last + 1));
      s.phases.splice(lastCaseEnd + 1, 0, ...copies);
      if (s.current && s.current.index > lastCaseEnd) s.current.index += copies.length;
      s.cases.push({ presenterSeatId: null });
      return null;
    }
    case "presenter:set": {
      const info = s.cases[c.caseIndex];
      if (!info) return err(ERROR_CODES.BAD_REQUEST, "no such case");
      if (c.seatId !== null) {
        const seat = findSeat(s, c.seatId);
        if (!seat || !seat.admitted) return err(ERROR_CODES.NO_SUCH_SEAT, "no such seat");
        if (seat.role !== "participant") return err(ERROR_CODES.BAD_REQUEST, "only a participant can present");
      }
      info.presenterSeatId = c.seatId;
      fx.push({ type: "board-rules-changed" });
      return null;
    }
    case "seat:setRole": {
      const seat = findSeat(s, c.seatId);
      if (!seat || !seat.admitted) return err(ERROR_CODES.NO_SUCH_SEAT, "no such seat");
      if (seat.role === "leader" || seat.role === "projector")
        return err(ERROR_CODES.FORBIDDEN, "this seat keeps its role");
      seat.role = c.role;
      if (c.role !== "participant") {
        for (const info of s.cases) if (info.presenterSeatId === seat.id) info.presenterSeatId = null;
      }
      fx.push({ type: "board-rules-changed" });
      return null;
    }
    case "seat:remove": {
      const seat = findSeat(s, c.seatId);
      if (!seat) return err(ERROR_CODES.NO_SUCH_SEAT, "no such seat");
      if (seat.role === "leader") return err(ERROR_CODES.FORBIDDEN, "the leader seat cannot be removed");
      s.seats = s.seats.filter((x) => x.id !== seat.id);
      for (const info of s.cases) if (info.presenterSeatId === seat.id) info.presenterSeatId = null;
      fx.push({ type: "seat-removed", seatId: seat.id });
      return null;
    }
    case "seat:admit": {
      const seat = findSeat(s, c.seatId);
      if (!seat) return err(ERROR_CODES.NO_SUCH_SEAT, "no such seat");
      if (seat.admitted) return err(ERROR_CODES.WRONG_STATUS, "already admitted");
      const full = admissionCapReached(s);
      if (full) return full;
      seat.admitted = true;
      return null;
    }
    case "joinCode:rotate": {
      s.joinCodeVersion += 1;
      fx.push({ type: "rotate-join-code" });
      return null;
    }
    case "settings:update": {
      if (c.anonymity !== void 0 && c.anonymity !== s.settings.anonymity && s.status !== "lobby") {
        return err(ERROR_CODES.WRONG_STATUS, "anonymity is chosen before the meeting starts");
      }
      const { type: _type, title, ...rest } = c;
      for (const [key, value] of Object.entries(rest)) {
        if (value !== void 0) s.settings[key] = value;
      }
      if (title !== void 0) s.title = title;
      if (c.boardOpen !== void 0 || c.release !== void 0) fx.push({ type: "board-rules-changed" });
      return null;
    }
    case "seat:join": {
      if (findSeat(s, c.seatId)) return err(ERROR_CODES.BAD_REQUEST, "seat exists");
      const admitted = c.role === "projector" || !s.settings.locked;
      const full = seatCapReached(s, c.role, admitted);
      if (full) return full;
      s.seats.push({
        id: c.seatId,
        role: c.role,
        name: c.role === "projector" ? "" : c.name,
        admitted,
        joinedAt: now
      });
      return null;
    }
    case "clock:tick": {
      while (s.current && s.status === "running" && s.settings.autoAdvance) {
        const cur = s.current;
        if (cur.timing.state !== "running" || cur.timing.endsAt > now) break;
        if (cur.index >= s.phases.length - 1) break;
        move(s, cur.index + 1, cur.timing.endsAt, fx);
      }
      return null;
    }
  }
}
function settleOverdue(s, now, fx) {
  const cur = running(s);
  if (!cur || !s.settings.autoAdvance || cur.timing.state !== "running") return;
  if (cur.timing.endsAt > now || cur.index >= s.phases.length - 1) return;
  move(s, cur.index + 1, now, fx);
}
function running(s) {
  return s.status === "running" ? s.current : null;
}
function newPhase(s, kind, plannedMs, caseIndex) {
  s.nextPhaseSeq += 1;
  return { id: `p${s.nextPhaseSeq}`, kind, plannedMs, caseIndex, rules: defaultRules(kind) };
}
function leave(s, fx) {
  if (!s.current) return;
  const phase = s.phases[s.current.index];
  fx.push({ type: "phase-left", phaseIndex: s.current.index, caseIndex: phase?.caseIndex ?? null });
}
function enter(s, index, startedAt2, fx) {
  const phase = s.phases[index];
  if (!phase) return;
  const before = s.current ? caseAt(s, s.current.index) : null;
  s.current = { index, startedAt: startedAt2, timing: { state: "running", endsAt: startedAt2 + phase.plannedMs } };
  fx.push({ type: "phase-entered", phaseIndex: index, caseIndex: phase.caseIndex });
  const after = caseAt(s, index);
  if (after !== null && after !== before) fx.push({ type: "case-changed", fromCase: before, toCase: after });
}
function move(s, index, startedAt2, fx) {
  leave(s, fx);
  enter(s, index, startedAt2, fx);
}
function caseAt(s, index) {
  for (let i = index; i >= 0; i--) {
    const c = s.phases[i]?.caseIndex;
    if (c !== null && c !== void 0) return c;
  }
  return null;
}

// server/security/tokens.ts
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
function newToken(bytes = 24) {
  return randomBytes(bytes).toString("base64url");
}
function newId(bytes = 12) {
  return randomBytes(bytes).toString("base64url");
}
function hashSecret(secret2) {
  return createHash("sha256").update(secret2, "utf8").digest("hex");
}
function sameHash(a, b) {
  const x = Buffer.from(a, "hex");
  const y = Buffer.from(b, "hex");
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}
var JOIN_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
var JOIN_CODE_CHARS = 10;
function newJoinCode() {
  const bytes = randomBytes(JOIN_CODE_CHARS);
  let code = "";
  for (let i = 0; i < JOIN_CODE_CHARS; i++) code += JOIN_ALPHABET[bytes[i] & 31];
  return `${code.slice(0, 5)}-${code.slice(5)}`;
}
function normalizeJoinCode(input) {
  const raw = input.toUpperCase().replace(/[\s-]/g, "").replace(/O/g, "0").replace(/[IL]/g, "1");
  if (raw.length !== JOIN_CODE_CHARS || [...raw].some((c) => !JOIN_ALPHABET.includes(c))) return null;
  return `${raw.slice(0, 5)}-${raw.slice(5)}`;
}

// server/core/broadcaster.ts
var nullBroadcaster = {
  meetingChanged: () => {
  },
  meetingEnded: () => {
  },
  seatRemoved: () => {
  }
};

// server/core/hub.ts
var TICK_RETRY_MS = 5e3;
var PRESENCE_COALESCE_MS = 50;
var MeetingHub = class {
  constructor(deps) {
    this.deps = deps;
  }
  deps;
  live = /* @__PURE__ */ new Map();
  effectListeners = [];
  purgeListeners = [];
  broadcaster = nullBroadcaster;
  onEffects(listener) {
    this.effectListeners.push(listener);
  }
  /** Called after a meeting's data was deleted, so that modules drop what they hold for it. */
  onPurge(listener) {
    this.purgeListeners.push(listener);
  }
  /**
   * Reloads every live meeting after a start or restart and catches up with its deadlines. What a
   * crash left behind (a meeting stored as ended but not yet purged, rows of no meeting) is purged
   * first, and a meeting whose inactivity limit passed while the server was down is ended and
   * purged before anyone can connect to it.
   */
  loadAll() {
    const leftovers = this.deps.storage.purgeLeftovers();
    if (leftovers > 0) this.deps.logger.info("meeting.leftovers_purged", { meetings: leftovers });
    const stored = this.deps.storage.loadLiveMeetings();
    for (const m of stored) {
      this.live.set(m.state.id, {
        state: m.state,
        joinCode: m.joinCode,
        lastActivityAt: m.lastActivityAt,
        connections: /* @__PURE__ */ new Map(),
        phaseTimer: null,
        inactivityTimer: null,
        presenceTimer: null
      });
    }
    const now = this.deps.clock.now();
    for (const m of stored) {
      if (now >= this.inactivityDeadline(m.state.id)) {
        this.endInactive(m.state.id);
        continue;
      }
      this.run(m.state.id, { kind: "server" }, { type: "clock:tick" }, { silentActivity: true });
      this.schedule(m.state.id);
    }
    return this.live.size;
  }
  create(opts) {
    const now = this.deps.clock.now();
    const state = createMeetingState({
      id: newId(),
      title: opts.title,
      template: opts.template,
      leaderSeatId: newId(),
      leaderName: opts.leaderName ?? "",
      now,
      plannedStartAt: opts.plannedStartAt ?? null,
      settings: opts.settings
    });
    const joinCode = this.uniqueJoinCode();
    const leaderToken = newToken();
    const projectorKey = newToken();
    const leaderSeat = state.seats[0];
    if (!leaderSeat) throw new Error("a new meeting has its leader seat");
    this.deps.storage.transaction(() => {
      this.deps.storage.insertMeeting(
        { state, joinCode, lastActivityAt: now },
        hashSecret(leaderToken),
        hashSecret(projectorKey)
      );
      this.deps.storage.insertSeatToken(state.id, leaderSeat.id, hashSecret(leaderToken));
    });
    this.live.set(state.id, {
      state,
      joinCode,
      lastActivityAt: now,
      connections: /* @__PURE__ */ new Map(),
      phaseTimer: null,
      inactivityTimer: null,
      presenceTimer: null
    });
    this.schedule(state.id);
    this.deps.logger.info("meeting.created", { meetingId: state.id, phases: state.phases.length });
    return { state, joinCode, leaderToken, projectorKey };
  }
  /** A member joins with the join code; returns the new seat's token (shown to nobody else). */
  join(joinCode, name, role) {
    const meetingId = this.meetingIdByJoinCode(joinCode);
    if (!meetingId) return fail(ERROR_CODES.NOT_FOUND, "no meeting with this code");
    return this.addSeat(meetingId, role, name);
  }
  claimProjector(meetingId, key) {
    const stored = this.live.has(meetingId) ? this.deps.storage.projectorKeyHash(meetingId) : null;
    if (!stored || !sameHash(stored, hashSecret(key))) return fail(ERROR_CODES.UNAUTHENTICATED, "wrong projector link");
    return this.addSeat(meetingId, "projector", "");
  }
  addSeat(meetingId, role, name) {
    const seatId = newId();
    const token = newToken();
    const result = this.run(
      meetingId,
      { kind: "server" },
      { type: "seat:join", seatId, role, name },
      { alsoStore: () => this.deps.storage.insertSeatToken(meetingId, seatId, hashSecret(token)) }
    );
    if (!result.ok) return result;
    this.deps.logger.info("seat.joined", { meetingId, seatId, role });
    return ok({ meetingId, seatId, token });
  }
  /** Finds the seat a token belongs to; the token is looked up by its hash only. */
  authenticate(token) {
    if (typeof token !== "string" || token.length < 16 || token.length > 200) return null;
    const found = this.deps.storage.findSeatByTokenHash(hashSecret(token));
    if (!found) return null;
    const m = this.live.get(found.meetingId);
    if (!m || !findSeat(m.state, found.seatId)) return null;
    return found;
  }
  state(meetingId) {
    return this.live.get(meetingId)?.state ?? null;
  }
  view(meetingId, seatId) {
    const m = this.live.get(meetingId);
    if (!m) return null;
    return projectView(m.state, seatId, {
      now: this.deps.clock.now(),
      connections: m.connections,
      joinCode: m.joinCode,
      phoneOrigins: this.deps.phoneOrigins?.()
    });
  }
  meetingIds() {
    return [...this.live.keys()];
  }
  connected(meetingId, seatId, delta) {
    const m = this.live.get(meetingId);
    if (!m) return;
    const n = (m.connections.get(seatId) ?? 0) + delta;
    if (n > 0) m.connections.set(seatId, n);
    else m.connections.delete(seatId);
    if (delta === 1 && n === 1 || delta === -1 && n === 0) this.presenceChanged(meetingId, m);
  }
  presenceChanged(meetingId, m) {
    if (m.presenceTimer) return;
    m.presenceTimer = setTimeout(() => {
      m.presenceTimer = null;
      if (this.live.get(meetingId) !== m) return;
      try {
        this.broadcaster.meetingChanged(meetingId);
      } catch (error) {
        this.deps.logger.error("meeting.presence_broadcast_failed", {
          meetingId,
          error: error instanceof Error ? error.name : "unknown"
        });
      }
    }, PRESENCE_COALESCE_MS);
    m.presenceTimer.unref();
  }
  /** Every broadcast carries the current presence: a pending presence-only one is not needed. */
  broadcastChange(meetingId, m) {
    cancelPresence(m);
    this.broadcaster.meetingChanged(meetingId);
  }
  /** Marks activity (e.g. a note) so the inactivity backstop counts from now. */
  touch(meetingId) {
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
  run(meetingId, actor, command, opts = {}) {
    const m = this.live.get(meetingId);
    if (!m) return fail(ERROR_CODES.NOT_FOUND, "no such meeting");
    const { storage: storage2, clock, logger: logger2 } = this.deps;
    const commandKey = opts.commandId && actor.kind === "seat" ? { seatId: actor.seatId, id: opts.commandId } : null;
    if (commandKey && storage2.hasCommand(meetingId, commandKey.seatId, commandKey.id)) return ok(void 0);
    const now = clock.now();
    const result = transition(m.state, command, now, actor);
    if (!result.ok) {
      logger2.debug("command.refused", { meetingId, command: command.type, code: result.error.code });
      return result;
    }
    if (command.type === "clock:tick" && result.effects.length === 0) {
      this.schedule(meetingId);
      return ok(void 0);
    }
    let joinCode = m.joinCode;
    if (result.effects.some((e) => e.type === "rotate-join-code")) joinCode = this.uniqueJoinCode();
    const activity = opts.silentActivity || command.type === "clock:tick" ? m.lastActivityAt : now;
    storage2.transaction(() => {
      storage2.saveMeeting(result.state, activity);
      if (commandKey) storage2.recordCommand(meetingId, commandKey.seatId, commandKey.id);
      if (joinCode !== m.joinCode) storage2.setJoinCode(meetingId, joinCode);
      for (const e of result.effects)
        if (e.type === "seat-removed") storage2.deleteSeatTokens(meetingId, e.seatId);
      opts.alsoStore?.();
    });
    m.state = result.state;
    m.joinCode = joinCode;
    m.lastActivityAt = activity;
    logger2.info("command.applied", { meetingId, command: command.type, actor: actor.kind });
    if (result.effects.some((e) => e.type === "meeting-ended")) {
      this.broadcastChange(meetingId, m);
      this.purge(meetingId, command.type === "meeting:end" && actor.kind === "server" ? "inactive" : "ended");
      return ok(void 0);
    }
    for (const listener of this.effectListeners) listener(meetingId, result.effects, result.state);
    for (const e of result.effects) {
      if (e.type === "seat-removed") this.broadcaster.seatRemoved(meetingId, e.seatId);
    }
    this.schedule(meetingId);
    this.broadcastChange(meetingId, m);
    return ok(void 0);
  }
  /**
   * Deletes everything of the meeting, everywhere this process holds it: the live entry and its
   * timers, every stored row (secure delete, WAL truncated), then the purge listeners (the board
   * drops its documents and closes its connections), then every Socket.IO connection is told.
   * Memory is cleared even when storage fails; the rows are then purged at the next start-up.
   */
  purge(meetingId, reason) {
    const m = this.live.get(meetingId);
    if (!m) return;
    const started = performance.now();
    m.phaseTimer?.cancel();
    m.inactivityTimer?.cancel();
    cancelPresence(m);
    this.live.delete(meetingId);
    try {
      this.deps.storage.purgeMeeting(
        meetingId,
        () => this.deps.logger.info("meeting.purged", {
          meetingId,
          reason,
          ms: Math.round(performance.now() - started)
        })
      );
    } catch (error) {
      this.deps.logger.error("meeting.purge_failed", {
        meetingId,
        error: error instanceof Error ? error.name : "unknown"
      });
    }
    for (const listener of this.purgeListeners) listener(meetingId);
    this.broadcaster.meetingEnded(meetingId);
    forgetLastRegExpSubject();
  }
  /** Stops all timers (drain / tests). */
  stop() {
    for (const m of this.live.values()) {
      m.phaseTimer?.cancel();
      m.inactivityTimer?.cancel();
      cancelPresence(m);
    }
  }
  schedule(meetingId) {
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
  tick(meetingId) {
    try {
      this.run(meetingId, { kind: "server" }, { type: "clock:tick" });
    } catch (error) {
      this.deps.logger.error("meeting.tick_failed", {
        meetingId,
        error: error instanceof Error ? error.name : "unknown"
      });
      const m = this.live.get(meetingId);
      if (m)
        m.phaseTimer = this.deps.clock.setTimer(
          this.deps.clock.now() + TICK_RETRY_MS,
          () => this.tick(meetingId)
        );
    }
  }
  /** When the backstop ends the meeting: the limit after the last activity or the planned start. */
  inactivityDeadline(meetingId) {
    const m = this.live.get(meetingId);
    if (!m) return Infinity;
    return Math.max(m.lastActivityAt, m.state.plannedStartAt ?? 0) + this.deps.inactivityLimitMs;
  }
  scheduleInactivity(meetingId) {
    const m = this.live.get(meetingId);
    if (!m) return;
    m.inactivityTimer?.cancel();
    m.inactivityTimer = this.deps.clock.setTimer(
      this.inactivityDeadline(meetingId),
      () => this.endInactive(meetingId)
    );
  }
  /** The backstop: ends the meeting as `meeting:end` does; if that cannot be stored, purges anyway. */
  endInactive(meetingId) {
    let ended;
    try {
      ended = this.run(meetingId, { kind: "server" }, { type: "meeting:end" });
    } catch (error) {
      this.deps.logger.error("meeting.end_failed", {
        meetingId,
        error: error instanceof Error ? error.name : "unknown"
      });
      ended = fail(ERROR_CODES.UNAVAILABLE, "could not store the end");
    }
    if (!ended.ok) this.purge(meetingId, "inactive");
  }
  meetingIdByJoinCode(joinCode) {
    const id2 = this.deps.storage.findMeetingByJoinCode(joinCode);
    return id2 && this.live.has(id2) ? id2 : null;
  }
  uniqueJoinCode() {
    for (; ; ) {
      const code = newJoinCode();
      if (!this.deps.storage.findMeetingByJoinCode(code)) return code;
    }
  }
};
function forgetLastRegExpSubject() {
  /purged/.test("purged");
}
function cancelPresence(m) {
  if (m.presenceTimer) clearTimeout(m.presenceTimer);
  m.presenceTimer = null;
}

// server/http/drain.ts
var DRAIN_GRACE_MS = 1e3;
function trackConnections(http) {
  const open = /* @__PURE__ */ new Set();
  http.on("connection", (socket) => {
    open.add(socket);
    socket.once("close", () => open.delete(socket));
  });
  return {
    cutAfter(ms) {
      const timer = setTimeout(() => {
        for (const socket of open) socket.destroy();
      }, ms);
      timer.unref();
      return () => clearTimeout(timer);
    }
  };
}

// server/http/routes.ts
import express from "express";
import { z } from "zod";

// shared/protocol.ts
var BOARD_PATH = "/board";
var BOARD_SUBPROTOCOL = "balint-room.v1";

// server/core/answer.ts
function parseOr(schema, payload) {
  const parsed = schema.safeParse(payload);
  if (parsed.success) return { ok: true, value: parsed.data };
  const first = parsed.error.issues[0];
  return fail(
    ERROR_CODES.BAD_REQUEST,
    first ? `${first.path.join(".") || "payload"}: ${first.message}` : "bad request"
  );
}
function answerSafely(logger2, event, handler) {
  try {
    return handler();
  } catch (error) {
    logger2.error("handler.failed", { event, error: error instanceof Error ? error.name : "unknown" });
    return fail(ERROR_CODES.UNAVAILABLE, "the server could not do this, try again");
  }
}

// server/http/rateLimit.ts
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
function memoryRateLimit(budget, now) {
  const windowSec = Math.max(1, Math.ceil(budget.windowMs / 1e3));
  const limiter = new RateLimiterMemory({ points: budget.points, duration: windowSec });
  const blocked = new RateLimiterMemory({ points: 1, duration: 1 });
  const windowKey = (key, t) => `${key}@${Math.floor(t / budget.windowMs)}`;
  return {
    async consume(key, cost = 1) {
      const held = await refusal(blocked, key, 0);
      if (held) return held;
      const t = now();
      const verdict = await refusal(limiter, windowKey(key, t), cost);
      if (!verdict) return { ok: true, retryAfterMs: 0 };
      return { ok: false, retryAfterMs: Math.max(1, budget.windowMs - t % budget.windowMs) };
    },
    async block(key, ms) {
      await blocked.block(key, Math.max(1, Math.ceil(ms / 1e3)));
    }
  };
}
async function refusal(limiter, key, cost) {
  try {
    await limiter.consume(key, cost);
    return null;
  } catch (error) {
    if (error instanceof RateLimiterRes) return { ok: false, retryAfterMs: Math.max(1, error.msBeforeNext) };
    throw error;
  }
}

// server/http/routes.ts
var customTemplateSchema = z.object({
  name: z.string().trim().min(1).max(80),
  phases: z.array(
    z.object({
      kind: z.enum(PHASE_KINDS),
      minutes: z.number().int().min(1).max(180),
      caseIndex: z.number().int().min(0).max(MAX_CASES - 1).nullable()
    }).strict()
  ).min(1).max(MAX_PHASES)
}).strict();
var createSchema = z.object({
  title: z.string().trim().max(120).optional(),
  templateId: z.string().max(64).optional(),
  /** A leader's own template (saved in their browser), instead of a built-in one. */
  template: customTemplateSchema.optional(),
  anonymity: z.enum(["anonymous", "named"]).optional(),
  release: z.enum(["batch", "screening"]).optional(),
  timerVisibility: z.enum(["leaders", "everyone"]).optional(),
  autoAdvance: z.boolean().optional(),
  plannedStartAt: z.number().int().positive().optional(),
  leaderName: z.string().trim().max(60).optional()
}).strict();
var joinSchema = z.object({
  code: z.string().max(40),
  name: z.string().trim().min(1).max(60),
  as: z.enum(["participant", "observer"]).optional()
}).strict();
var projectorSchema = z.object({ key: z.string().min(16).max(200) }).strict();
var STATUS = {
  [ERROR_CODES.BAD_REQUEST]: 400,
  [ERROR_CODES.UNAUTHENTICATED]: 401,
  [ERROR_CODES.FORBIDDEN]: 403,
  [ERROR_CODES.NOT_FOUND]: 404,
  [ERROR_CODES.RATE_LIMITED]: 429,
  // WIRE-7: the meeting has no room for another seat of this kind.
  [ERROR_CODES.LIMIT_REACHED]: 409
};
function sendError(res, code, message) {
  res.status(STATUS[code] ?? 409).json({ error: { code, message } });
}
function parse(schema, req, res) {
  const parsed = parseOr(schema, req.body ?? {});
  if (parsed.ok) return parsed.value;
  sendError(res, parsed.error.code, parsed.error.message);
  return null;
}
function phoneOriginsField(origins) {
  return origins.length > 0 ? { phoneOrigins: [...origins] } : {};
}
function createRoutes(deps) {
  const { hub, clock } = deps;
  const router = express.Router();
  const now = () => clock.now();
  const createLimit = memoryRateLimit({ points: 20, windowMs: 60 * 6e4 }, now);
  const joinLimit = memoryRateLimit({ points: 30, windowMs: 10 * 6e4 }, now);
  const within = async (limit2, req, res, message) => {
    const verdict = await limit2.consume(deps.clientAddress(req));
    if (verdict.ok) return true;
    res.setHeader("Retry-After", String(Math.ceil(verdict.retryAfterMs / 1e3)));
    res.status(429).json({ error: { code: ERROR_CODES.RATE_LIMITED, message, retryAfterMs: verdict.retryAfterMs } });
    return false;
  };
  const origin = (req) => deps.publicOrigin ?? `${req.protocol}://${req.get("host")}`;
  router.get("/healthz", (_req, res) => {
    res.json({ ok: true, protocolVersion: PROTOCOL_VERSION, meetings: hub.meetingIds().length });
  });
  router.use("/api", express.json({ limit: "16kb" }));
  router.get("/api/templates", (_req, res) => {
    res.json({ templates: BUILT_IN_TEMPLATES, defaultTemplateId: DEFAULT_TEMPLATE_ID });
  });
  router.post("/api/meetings", async (req, res) => {
    if (!await within(createLimit, req, res, "too many meetings")) return;
    if (deps.createKey !== null && !sameHash(hashSecret(req.get("x-create-key") ?? ""), hashSecret(deps.createKey))) {
      return sendError(res, ERROR_CODES.FORBIDDEN, "this server needs a key to create meetings");
    }
    const body = parse(createSchema, req, res);
    if (!body) return;
    const template = body.template ? { id: "custom", name: body.template.name, phases: body.template.phases } : findBuiltInTemplate(body.templateId ?? DEFAULT_TEMPLATE_ID);
    if (!template) return sendError(res, ERROR_CODES.BAD_REQUEST, "templateId: no such template");
    const { title, templateId: _t, template: _c, plannedStartAt, leaderName, ...settings } = body;
    const created = hub.create({ title: title || "", template, settings, plannedStartAt, leaderName });
    const base = origin(req);
    const id2 = created.state.id;
    res.status(201).json({
      meetingId: id2,
      joinCode: created.joinCode,
      leaderLink: `${base}/m/${id2}/lead#t=${created.leaderToken}`,
      joinLink: `${base}/join#code=${created.joinCode}`,
      projectorLink: `${base}/m/${id2}/projector#k=${created.projectorKey}`,
      ...phoneOriginsField(deps.phoneOrigins?.() ?? [])
    });
  });
  router.post("/api/join", async (req, res) => {
    if (!await within(joinLimit, req, res, "too many attempts, wait a few minutes")) return;
    const body = parse(joinSchema, req, res);
    if (!body) return;
    const code = normalizeJoinCode(body.code);
    if (!code) return sendError(res, ERROR_CODES.NOT_FOUND, "no meeting with this code");
    const result = hub.join(code, body.name, body.as ?? "participant");
    if (!result.ok) return sendError(res, result.error.code, result.error.message);
    res.status(201).json(result.value);
  });
  router.post("/api/meetings/:id/projector", async (req, res) => {
    if (!await within(joinLimit, req, res, "too many attempts")) return;
    const body = parse(projectorSchema, req, res);
    if (!body) return;
    const result = hub.claimProjector(String(req.params.id), body.key);
    if (!result.ok) return sendError(res, result.error.code, result.error.message);
    res.status(201).json(result.value);
  });
  router.use("/api", (_req, res) => sendError(res, ERROR_CODES.NOT_FOUND, "no such endpoint"));
  return router;
}

// server/metrics/allow.ts
import ipaddr from "ipaddr.js";
var DEFAULT_METRICS_ALLOW = ["127.0.0.0/8", "::1/128"];
function parseAllowList(text) {
  const list = [];
  for (const raw of text.split(",")) {
    const entry = raw.trim();
    if (entry === "") continue;
    const range = toRange(entry);
    if (!range) return { ok: false, bad: entry };
    list.push(`${range[0].toString()}/${range[1]}`);
  }
  return list.length > 0 ? { ok: true, list } : { ok: false, bad: text };
}
function toRange(entry) {
  try {
    if (entry.includes("/")) return ipaddr.parseCIDR(entry);
    const address = ipaddr.parse(entry);
    return [address, address.kind() === "ipv4" ? 32 : 128];
  } catch {
    return null;
  }
}
function normalise(address) {
  if (!ipaddr.isValid(address)) return null;
  return ipaddr.process(address);
}
function addressAllowed(list) {
  const ranges = list.map(toRange).filter((r) => r !== null);
  return (address) => {
    const parsed = address ? normalise(address) : null;
    if (!parsed) return false;
    return ranges.some(([base, bits]) => base.kind() === parsed.kind() && parsed.match(base, bits));
  };
}
function forwardedWithoutTrust(headers, trustProxy) {
  return !trustProxy && (headers["x-forwarded-for"] !== void 0 || headers.forwarded !== void 0);
}

// server/metrics/metrics.ts
import { monitorEventLoopDelay } from "node:perf_hooks";
import { Counter, Gauge, Registry } from "prom-client";
var EVENTS = [
  "meeting:command",
  "time:ping",
  "note:add",
  "note:edit",
  "note:delete",
  "note:mine",
  "note:moderate",
  "note:resonate",
  "board:release",
  "board:export"
];
var KNOWN_EVENTS = new Set(EVENTS);
var KNOWN_CODES = new Set(Object.values(ERROR_CODES));
var EVENT_LOOP_RESOLUTION_MS = 20;
var NS_PER_S = 1e9;
function createMetrics(deps) {
  const registry = new Registry();
  const boardSockets = /* @__PURE__ */ new Set();
  const purgesPending = /* @__PURE__ */ new Set();
  const loopDelay = monitorEventLoopDelay({ resolution: EVENT_LOOP_RESOLUTION_MS });
  loopDelay.enable();
  deps.hub.onPurge((meetingId) => {
    let stored;
    try {
      stored = deps.storage.projectorKeyHash(meetingId) !== null;
    } catch {
      stored = true;
    }
    if (stored) purgesPending.add(meetingId);
  });
  new Gauge({
    name: "balint_meetings_live",
    help: "Meetings loaded in this process (not ended).",
    registers: [registry],
    collect() {
      this.set(deps.hub.meetingIds().length);
    }
  });
  new Gauge({
    name: "balint_socketio_connections",
    help: "Open Socket.IO connections.",
    registers: [registry],
    collect() {
      this.set(deps.socketConnections());
    }
  });
  new Gauge({
    name: "balint_board_connections",
    help: "Open board (y-websocket) connections.",
    registers: [registry],
    collect() {
      this.set(boardSockets.size);
    }
  });
  new Gauge({
    name: "balint_purges_pending",
    help: "Meetings ended in memory whose stored rows could not be deleted yet (purged at the next start).",
    registers: [registry],
    collect() {
      this.set(purgesPending.size);
    }
  });
  const events = new Counter({
    name: "balint_commands_total",
    help: "Socket.IO commands received, by event.",
    labelNames: ["event"],
    registers: [registry]
  });
  const notes = new Counter({
    name: "balint_notes_added_total",
    help: "Notes accepted (note:add acknowledged with ok).",
    registers: [registry]
  });
  const refusals = new Counter({
    name: "balint_refusals_total",
    help: "Commands and requests refused, by error code and channel.",
    labelNames: ["code", "channel"],
    registers: [registry]
  });
  new Gauge({
    name: "balint_event_loop_delay_seconds",
    help: "Event-loop delay since the previous scrape, by quantile.",
    labelNames: ["quantile"],
    registers: [registry],
    collect() {
      for (const q of [0.5, 0.9, 0.99])
        this.set({ quantile: String(q) }, loopDelay.percentile(q * 100) / NS_PER_S);
      this.set({ quantile: "1" }, loopDelay.max / NS_PER_S);
      loopDelay.reset();
    }
  });
  new Gauge({
    name: "balint_process_memory_bytes",
    help: "Process memory, by kind (rss, heap_used, heap_total, external, array_buffers).",
    labelNames: ["kind"],
    registers: [registry],
    collect() {
      const m = process.memoryUsage();
      this.set({ kind: "rss" }, m.rss);
      this.set({ kind: "heap_used" }, m.heapUsed);
      this.set({ kind: "heap_total" }, m.heapTotal);
      this.set({ kind: "external" }, m.external);
      this.set({ kind: "array_buffers" }, m.arrayBuffers);
    }
  });
  const refused = (code, channel) => refusals.inc({ code: KNOWN_CODES.has(code) ? code : "other", channel });
  return {
    registry,
    watchSocket(socket) {
      socket.use((packet, next) => {
        const event = String(packet[0]);
        const known = KNOWN_EVENTS.has(event);
        events.inc({ event: known ? event : "other" });
        const last = packet.length - 1;
        const ack = packet[last];
        if (last > 0 && typeof ack === "function") {
          packet[last] = (result) => {
            const r = result;
            if (r && r.ok === false) refused(String(r.error?.code), "socket");
            else if (r && r.ok === true && event === "note:add") notes.inc();
            ack(result);
          };
        }
        next();
      });
    },
    boardSocketOpened(socket) {
      if (socket.destroyed) return;
      boardSockets.add(socket);
      socket.once("close", () => boardSockets.delete(socket));
    },
    httpRefused(code) {
      refused(code, "http");
    },
    close() {
      loopDelay.disable();
      boardSockets.clear();
    }
  };
}

// server/metrics/route.ts
import express2 from "express";
function createMetricsRoutes(deps) {
  const router = express2.Router();
  const allowed = addressAllowed(deps.allow);
  router.use((_req, res, next) => {
    const json = res.json.bind(res);
    res.json = (body) => {
      const code = body?.error?.code;
      if (res.statusCode >= 400 && typeof code === "string") deps.metrics.httpRefused(code);
      return json(body);
    };
    next();
  });
  router.get("/metrics", (req, res, next) => {
    if (forwardedWithoutTrust(req.headers, deps.trustProxy.kind !== "none") || !allowed(deps.clientAddress(req))) {
      deps.logger.info("metrics.refused", {
        forwarded: forwardedWithoutTrust(req.headers, deps.trustProxy.kind !== "none")
      });
      res.status(403).json({ error: { code: ERROR_CODES.FORBIDDEN, message: "metrics are not open to this address" } });
      return;
    }
    deps.metrics.registry.metrics().then((text) => {
      res.setHeader("Content-Type", deps.metrics.registry.contentType);
      res.setHeader("Cache-Control", "no-store");
      res.send(text);
    }, next);
  });
  return router;
}

// server/net/phoneAddresses.ts
import ipaddr2 from "ipaddr.js";
var UNREACHABLE_INTERFACE = /^(docker\d*|podman|cni|veth|virbr|br-|tun|wg)/;
function phoneAddresses(table) {
  const v4 = [];
  const v6 = [];
  for (const [name, infos] of Object.entries(table)) {
    if (!infos || UNREACHABLE_INTERFACE.test(name)) continue;
    for (const info of infos) {
      if (info.internal || !ipaddr2.isValid(info.address)) continue;
      const parsed = ipaddr2.parse(info.address);
      const range = parsed.range();
      if (parsed.kind() === "ipv4" && range === "private") v4.push(parsed.toString());
      if (parsed.kind() === "ipv6" && (range === "uniqueLocal" || range === "unicast"))
        v6.push(parsed.toString());
    }
  }
  return unique(v4.length > 0 ? v4 : v6);
}
function phoneAddressesFor(host, table) {
  if (host === "0.0.0.0" || host === "::") return phoneAddresses(table);
  if (!ipaddr2.isValid(host)) return [];
  const parsed = ipaddr2.parse(host);
  return parsed.range() === "private" || parsed.range() === "uniqueLocal" ? [parsed.toString()] : [];
}
function originOf(address, port2, protocol = "http") {
  const host = address.includes(":") ? `[${address}]` : address;
  return `${protocol}://${host}:${port2}`;
}
function unique(list) {
  return [...new Set(list)];
}
var ADDRESSES_REFRESH_MS = 1e4;
function refreshedEvery(ttlMs, read, now = Date.now) {
  let at = -Infinity;
  let value;
  return () => {
    if (now() - at >= ttlMs) {
      value = read();
      at = now();
    }
    return value;
  };
}
function startBanner(localOrigin, phoneOrigins2) {
  const lines = [`Balint Room is running: open ${localOrigin}`];
  if (phoneOrigins2.length > 0) {
    lines.push("Phones in the room (same network) can join at:");
    for (const origin of phoneOrigins2) lines.push(`  ${origin}`);
  }
  return `
${lines.join("\n")}

`;
}

// server/limits/budgets.ts
var LIMIT_WINDOW_MS = 1e4;
var EVENT_BUDGETS = {
  // A leader clicking through commands and moderation, plus what is resent after a reconnect.
  command: { clientPeak: { connection: 10, seat: 30 }, perConnection: 30, perSeat: 90 },
  // Five clock samples per connect; a flapping network connects twice in a window.
  ping: { clientPeak: { connection: 10, seat: 30 }, perConnection: 30, perSeat: 90 },
  // A reconnect resends up to 20 queued notes (and a few edits); three tabs resend the same ones.
  "note-write": { clientPeak: { connection: 25, seat: 75 }, perConnection: 75, perSeat: 225 },
  // note:mine on each connect and every 5 s while a note waits.
  "note-read": { clientPeak: { connection: 4, seat: 12 }, perConnection: 12, perSeat: 36 },
  // One export per click.
  export: { clientPeak: { connection: 2, seat: 6 }, perConnection: 6, perSeat: 18 },
  // The product client sends no other event.
  unknown: { clientPeak: { connection: 0, seat: 0 }, perConnection: 10, perSeat: 30 }
};
var EVENT_BUDGET_OF = {
  "meeting:command": "command",
  "note:moderate": "command",
  "board:release": "command",
  "time:ping": "ping",
  "note:add": "note-write",
  "note:edit": "note-write",
  "note:delete": "note-write",
  "note:resonate": "note-write",
  "note:mine": "note-read",
  "board:export": "export"
};
var BOARD_FRAME_BUDGET = { perConnection: 300, perSeat: 900 };
var BOARD_UPGRADES_PER_SEAT = 90;
var HANDSHAKES_PER_SEAT = 45;
var CONNECTS_PER_ADDRESS = 2e3;
var SOCKETS_PER_SEAT = 4;
var BOARDS_PER_SEAT = 4;
var FLOOD_REFUSALS = 100;
var FLOOD_BLOCK_MS = 3e4;
var MAX_QUEUED_EVENTS = 200;
var NOTES_PER_SEAT_PER_CASE = 40;
function windowOf(points) {
  return { points, windowMs: LIMIT_WINDOW_MS };
}

// server/limits/seatLimits.ts
var OK = { ok: true, retryAfterMs: 0 };
function seatKey(meetingId, seatId) {
  return `${meetingId}/${seatId}`;
}
var Limits = class {
  constructor(opts) {
    this.opts = opts;
    const make = (points) => (opts.store ?? ((b) => memoryRateLimit(b, opts.now)))(windowOf(points));
    for (const [name, figures] of Object.entries(EVENT_BUDGETS)) {
      this.events.set(name, { connection: make(figures.perConnection), seat: make(figures.perSeat) });
    }
    this.frames = {
      connection: make(BOARD_FRAME_BUDGET.perConnection),
      seat: make(BOARD_FRAME_BUDGET.perSeat)
    };
    this.upgrades = make(BOARD_UPGRADES_PER_SEAT);
    this.handshakes = make(HANDSHAKES_PER_SEAT);
    this.connects = make(opts.connectsPerAddress ?? CONNECTS_PER_ADDRESS);
    this.refusals = make(FLOOD_REFUSALS);
    this.blocks = make(Number.MAX_SAFE_INTEGER);
  }
  opts;
  events = /* @__PURE__ */ new Map();
  frames;
  upgrades;
  handshakes;
  connects;
  refusals;
  blocks;
  floodListeners = /* @__PURE__ */ new Set();
  /** One Socket.IO event of `connection` (a unique id) of `seat`. */
  event(name, connection, seat) {
    const budget = this.events.get(name);
    return this.spend(seat, budget.connection, connection, budget.seat);
  }
  /** One board frame. */
  frame(connection, seat) {
    return this.spend(seat, this.frames.connection, connection, this.frames.seat);
  }
  /** A board upgrade of `seat` (after its address paid for the connect). */
  boardUpgrade(seat) {
    return this.spend(seat, this.upgrades, seat);
  }
  /** A Socket.IO handshake of `seat`. */
  handshake(seat) {
    return this.spend(seat, this.handshakes, seat);
  }
  /** Any handshake or upgrade from `address`, before its token is looked at. */
  async connect(address) {
    return this.connects.consume(address, 1);
  }
  /** Whether `seat` is refused for a flood, and for how long still. */
  blocked(seat) {
    return this.blocks.consume(seat, 0);
  }
  /** Called with the seat (`meetingId/seatId`) when it is closed for a sustained flood. */
  onFlood(listener) {
    this.floodListeners.add(listener);
    return () => this.floodListeners.delete(listener);
  }
  async spend(seat, first, firstKey, second) {
    const held = await this.blocked(seat);
    if (!held.ok) return held;
    let verdict = await first.consume(firstKey, 1);
    if (verdict.ok && second) verdict = await second.consume(seat, 1);
    if (verdict.ok) return OK;
    await this.refused(seat);
    return verdict;
  }
  async refused(seat) {
    const counted = await this.refusals.consume(seat, 1);
    if (counted.ok) return;
    if (!(await this.blocked(seat)).ok) return;
    await this.blocks.block(seat, FLOOD_BLOCK_MS);
    this.opts.logger.warn("limits.seat_blocked", { blockMs: FLOOD_BLOCK_MS });
    for (const listener of this.floodListeners) listener(seat, FLOOD_BLOCK_MS);
  }
};
var SeatConnections = class {
  constructor(cap, closeOldest) {
    this.cap = cap;
    this.closeOldest = closeOldest;
  }
  cap;
  closeOldest;
  bySeat = /* @__PURE__ */ new Map();
  add(seat, conn) {
    const list = this.bySeat.get(seat) ?? [];
    list.push(conn);
    this.bySeat.set(seat, list);
    while (list.length > this.cap) {
      const oldest = list.shift();
      this.closeOldest(oldest);
    }
  }
  remove(seat, conn) {
    const list = this.bySeat.get(seat);
    if (!list) return;
    const at = list.indexOf(conn);
    if (at >= 0) list.splice(at, 1);
    if (list.length === 0) this.bySeat.delete(seat);
  }
  of(seat) {
    return this.bySeat.get(seat) ?? [];
  }
};

// server/security/clientAddress.ts
import ipaddr3 from "ipaddr.js";
import proxyAddr from "proxy-addr";
var MAX_TRUSTED_HOPS = 5;
var IPV6_CLIENT_PREFIX = 64;
function parseTrustProxy(raw) {
  const value = raw.trim();
  if (value === "0") return { ok: true, value: { kind: "none" } };
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops >= 1 && hops <= MAX_TRUSTED_HOPS) return { ok: true, value: { kind: "hops", hops } };
    return { ok: false, message: `a hop count must be 1 to ${MAX_TRUSTED_HOPS} (0 trusts no proxy)` };
  }
  if (value === "true" || value === "false") {
    return {
      ok: false,
      message: `'${value}' is not accepted: use 0 (no proxy), the number of proxies in front of the server (1 to ${MAX_TRUSTED_HOPS}), or their addresses (e.g. 127.0.0.1,10.0.0.0/8)`
    };
  }
  const addresses = value.split(",").map((a) => a.trim());
  try {
    if (addresses.some((a) => a === "")) throw new Error("empty entry");
    proxyAddr.compile(addresses);
  } catch {
    return {
      ok: false,
      message: "expected 0, a hop count 1-5, or a comma-separated list of addresses/CIDR ranges"
    };
  }
  return { ok: true, value: { kind: "addresses", addresses } };
}
function trustFunction(trust) {
  switch (trust.kind) {
    case "none":
      return () => false;
    case "hops":
      return (_addr, i) => i < trust.hops;
    case "addresses":
      return proxyAddr.compile(trust.addresses);
  }
}
function createClientAddress(trust) {
  const trusted = trustFunction(trust);
  return (req) => {
    let raw;
    try {
      raw = proxyAddr(req, trusted);
    } catch {
      raw = req.socket.remoteAddress ?? "";
    }
    return limitKey(raw);
  };
}
function limitKey(raw) {
  if (!ipaddr3.isValid(raw)) return raw || "unknown";
  const addr = ipaddr3.process(raw);
  if (addr.kind() === "ipv4") return addr.toString();
  const network = ipaddr3.IPv6.networkAddressFromCIDR(`${addr.toString()}/${IPV6_CLIENT_PREFIX}`);
  return `${network.toString()}/${IPV6_CLIENT_PREFIX}`;
}

// server/socket/broadcaster.ts
var meetingRoom = (meetingId) => `m:${meetingId}`;
var seatRoom = (meetingId, seatId) => `s:${meetingId}:${seatId}`;
function afterAcks(fn) {
  setImmediate(fn);
}
function socketBroadcaster(io, hub) {
  return {
    meetingChanged(meetingId) {
      const sockets = io.of("/").adapter.rooms.get(meetingRoom(meetingId));
      if (!sockets) return;
      const seats = /* @__PURE__ */ new Set();
      for (const id2 of sockets) {
        const s = io.of("/").sockets.get(id2);
        if (s) seats.add(s.data.seatId);
      }
      for (const seatId of seats) {
        const view = hub.view(meetingId, seatId);
        if (view) io.to(seatRoom(meetingId, seatId)).emit("meeting:state", view);
      }
    },
    meetingEnded(meetingId) {
      io.to(meetingRoom(meetingId)).emit("meeting:ended", { meetingId });
      afterAcks(() => io.in(meetingRoom(meetingId)).disconnectSockets(true));
    },
    seatRemoved(meetingId, seatId) {
      io.to(seatRoom(meetingId, seatId)).emit("seat:removed");
      afterAcks(() => io.in(seatRoom(meetingId, seatId)).disconnectSockets(true));
    }
  };
}

// server/socket/eventGuard.ts
function createEventGuard(socket, limits, logger2) {
  const { meetingId, seatId } = socket.data;
  const seat = seatKey(meetingId, seatId);
  const known = /* @__PURE__ */ new Set();
  let tail = Promise.resolve();
  let queued = 0;
  function dispatch(event, budget, spec, args) {
    const last = args.at(-1);
    const reply = typeof last === "function" ? last : null;
    if (reply) args.pop();
    let answered = false;
    const ack = reply ? (value) => {
      if (answered) return;
      answered = true;
      reply(value);
    } : null;
    if (queued >= MAX_QUEUED_EVENTS) {
      ack?.(rateLimited(LIMIT_WINDOW_MS, "too many requests waiting, slow down"));
      return;
    }
    queued += 1;
    tail = tail.then(async () => {
      const verdict = await limits.event(budget, socket.id, seat);
      if (!ack) {
        logger2.debug("socket.event_ignored", { event: spec ? event : "unknown", reason: "no-ack" });
        return;
      }
      if (!verdict.ok) return ack(rateLimited(verdict.retryAfterMs));
      if (!spec) return ack(fail(ERROR_CODES.BAD_REQUEST, "unknown event"));
      if (args.length !== spec.args) {
        return ack(
          fail(
            ERROR_CODES.BAD_REQUEST,
            `${event} takes ${spec.args === 0 ? "no payload" : "one payload"} and an ack`
          )
        );
      }
      if (!socket.connected) return;
      ack(spec.handle(args[0]));
    }).catch((error) => {
      logger2.error("socket.event_failed", {
        event,
        error: error instanceof Error ? error.name : "unknown"
      });
      ack?.(fail(ERROR_CODES.UNAVAILABLE, "the server could not do this, try again"));
    }).finally(() => {
      queued -= 1;
    });
  }
  socket.onAny((event, ...args) => {
    if (typeof event === "string" && known.has(event)) return;
    dispatch(String(event), "unknown", null, args);
  });
  return {
    on(event, spec) {
      known.add(event);
      const budget = EVENT_BUDGET_OF[event] ?? "unknown";
      socket.on(event, (...args) => dispatch(event, budget, spec, args));
    }
  };
}

// shared/meeting/commands.ts
import { z as z2 } from "zod";
var id = z2.string().min(1).max(64);
var minutes = z2.number().int().min(-180).max(180);
var meetingCommandSchema = z2.discriminatedUnion("type", [
  z2.object({ type: z2.literal("meeting:start") }).strict(),
  z2.object({ type: z2.literal("meeting:end") }).strict(),
  z2.object({ type: z2.literal("timer:pause") }).strict(),
  z2.object({ type: z2.literal("timer:resume") }).strict(),
  /** Extend (positive) or shorten (negative) the running phase by whole minutes. */
  z2.object({ type: z2.literal("timer:adjust"), minutes: minutes.refine((m) => m !== 0, "must not be 0") }).strict(),
  z2.object({ type: z2.literal("phase:next") }).strict(),
  z2.object({ type: z2.literal("phase:previous") }).strict(),
  z2.object({ type: z2.literal("phase:jump"), phaseId: id }).strict(),
  z2.object({ type: z2.literal("phase:setDuration"), phaseId: id, minutes: z2.number().int().min(1).max(180) }).strict(),
  z2.object({
    type: z2.literal("phase:add"),
    kind: z2.enum(PHASE_KINDS),
    minutes: z2.number().int().min(1).max(180),
    afterPhaseId: id.nullable(),
    caseIndex: z2.number().int().min(0).max(1).nullable()
  }).strict(),
  z2.object({ type: z2.literal("phase:remove"), phaseId: id }).strict(),
  /** Repeat the case phases of the last case for a new case, right after it. */
  z2.object({ type: z2.literal("case:add") }).strict(),
  z2.object({
    type: z2.literal("presenter:set"),
    caseIndex: z2.number().int().min(0).max(1),
    seatId: id.nullable()
  }).strict(),
  z2.object({
    type: z2.literal("seat:setRole"),
    seatId: id,
    role: z2.enum(["co-leader", "participant", "observer"])
  }).strict(),
  z2.object({ type: z2.literal("seat:remove"), seatId: id }).strict(),
  z2.object({ type: z2.literal("seat:admit"), seatId: id }).strict(),
  z2.object({ type: z2.literal("joinCode:rotate") }).strict(),
  z2.object({
    type: z2.literal("settings:update"),
    locked: z2.boolean().optional(),
    autoAdvance: z2.boolean().optional(),
    timerVisibility: z2.enum(["leaders", "everyone"]).optional(),
    anonymity: z2.enum(["anonymous", "named"]).optional(),
    release: z2.enum(["batch", "screening"]).optional(),
    boardOpen: z2.boolean().optional(),
    title: z2.string().trim().min(1).max(120).optional()
  }).strict()
]);
var commandEnvelopeSchema = z2.object({ commandId: z2.string().min(8).max(64), command: meetingCommandSchema }).strict();

// server/socket/handlers/meetingCommand.ts
function handleMeetingCommand(hub, socket, payload) {
  const parsed = parseOr(commandEnvelopeSchema, payload);
  if (!parsed.ok) return parsed;
  const { meetingId, seatId } = socket.data;
  return hub.run(meetingId, { kind: "seat", seatId }, parsed.value.command, {
    commandId: parsed.value.commandId
  });
}

// server/socket/index.ts
var HandshakeError = class extends Error {
  data;
  constructor(code, message, retryAfterMs) {
    super(message);
    this.data = retryAfterMs === void 0 ? { code } : { code, retryAfterMs };
  }
};
function attachSocketHandlers(io, deps) {
  const { hub, clock, logger: logger2, limits } = deps;
  const open = new SeatConnections(SOCKETS_PER_SEAT, (oldest) => {
    oldest.emit("connection:closed", {
      code: ERROR_CODES.LIMIT_REACHED,
      message: `at most ${SOCKETS_PER_SEAT} connections per seat: a newer one took over`
    });
    oldest.disconnect(true);
  });
  limits.onFlood((seat, retryAfterMs) => {
    for (const socket of [...open.of(seat)]) {
      socket.emit("connection:closed", { code: ERROR_CODES.RATE_LIMITED, message: "too many requests", retryAfterMs });
      socket.disconnect(true);
    }
  });
  io.use((socket, next) => {
    handshake(socket).then(next, (error) => {
      logger2.error("socket.handshake_failed", { error: error instanceof Error ? error.name : "unknown" });
      next(new HandshakeError(ERROR_CODES.UNAVAILABLE, "the server could not check this seat, try again"));
    });
  });
  async function handshake(socket) {
    const auth = socket.handshake.auth;
    if (auth.protocolVersion !== PROTOCOL_VERSION) {
      return new HandshakeError(ERROR_CODES.PROTOCOL_MISMATCH, `server speaks protocol ${PROTOCOL_VERSION}`);
    }
    const byAddress = await limits.connect(deps.clientAddress(socket.request));
    if (!byAddress.ok)
      return new HandshakeError(ERROR_CODES.RATE_LIMITED, "too many connections", byAddress.retryAfterMs);
    const seat = typeof auth.token === "string" ? hub.authenticate(auth.token) : null;
    if (!seat) return new HandshakeError(ERROR_CODES.UNAUTHENTICATED, "unknown or expired seat");
    const bySeat = await limits.handshake(seatKey(seat.meetingId, seat.seatId));
    if (!bySeat.ok) return new HandshakeError(ERROR_CODES.RATE_LIMITED, "too many connections", bySeat.retryAfterMs);
    socket.data.meetingId = seat.meetingId;
    socket.data.seatId = seat.seatId;
    return void 0;
  }
  io.on("connection", (socket) => {
    try {
      onConnection(socket);
    } catch (error) {
      logger2.error("socket.connect_failed", {
        meetingId: socket.data.meetingId,
        error: error instanceof Error ? error.name : "unknown"
      });
      socket.disconnect(true);
    }
  });
  function onConnection(socket) {
    const { meetingId, seatId } = socket.data;
    if (!hub.state(meetingId)) {
      socket.emit("meeting:ended", { meetingId });
      socket.disconnect(true);
      return;
    }
    void socket.join([meetingRoom(meetingId), seatRoom(meetingId, seatId)]);
    hub.connected(meetingId, seatId, 1);
    const seat = seatKey(meetingId, seatId);
    socket.on("disconnect", () => {
      hub.connected(meetingId, seatId, -1);
      open.remove(seat, socket);
    });
    const guard = createEventGuard(socket, limits, logger2);
    guard.on("meeting:command", {
      args: 1,
      handle: (payload) => answerSafely(logger2, "meeting:command", () => handleMeetingCommand(hub, socket, payload))
    });
    guard.on("time:ping", { args: 0, handle: () => clock.now() });
    const view = hub.view(meetingId, seatId);
    if (view) socket.emit("meeting:state", view);
    deps.board?.attachSocket(socket, guard);
    open.add(seat, socket);
    logger2.debug("socket.connected", { meetingId, seatId });
  }
}

// server/security/headers.ts
import helmet from "helmet";
var HSTS_MAX_AGE_S = 180 * 24 * 60 * 60;
var PLAIN_HOST = /^(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;
function webSocketSources(publicOrigin) {
  if (publicOrigin) {
    const url = new URL(publicOrigin);
    const scheme = url.protocol === "https:" ? "wss:" : "ws:";
    const source = `${scheme}//${url.host}`;
    return () => source;
  }
  return (req) => {
    const host = req.headers.host ?? "";
    if (!PLAIN_HOST.test(host)) return "";
    return `ws://${host} wss://${host}`;
  };
}
function securityHeaders(publicOrigin) {
  const https = publicOrigin?.startsWith("https:") ?? false;
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        baseUri: ["'none'"],
        connectSrc: ["'self'", webSocketSources(publicOrigin)],
        fontSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        // data: for QR codes drawn as images; an image cannot run script.
        imgSrc: ["'self'", "data:"],
        objectSrc: ["'none'"],
        scriptSrc: ["'self'"],
        scriptSrcAttr: ["'none'"],
        // React's style={} sets CSSOM properties, which CSP does not govern: no 'unsafe-inline'.
        styleSrc: ["'self'"],
        // Only over HTTPS: on a plain-HTTP local network it would send phones to a port with no TLS.
        ...https ? { upgradeInsecureRequests: [] } : {}
      }
    },
    strictTransportSecurity: https ? { maxAge: HSTS_MAX_AGE_S, includeSubDomains: false } : false,
    referrerPolicy: { policy: "no-referrer" },
    xFrameOptions: { action: "deny" }
  });
}

// server/security/origin.ts
function originAllowed(origin, host, publicOrigin) {
  if (!origin) return true;
  if (publicOrigin) return origin === publicOrigin;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

// server/app.ts
function createApp(deps) {
  const { storage: storage2, clock, logger: logger2 } = deps;
  const phoneOrigins2 = () => {
    if (deps.publicOrigin) return [deps.publicOrigin];
    const address = http.address();
    if (!address || typeof address === "string") return [];
    return (deps.phoneAddresses?.() ?? []).map((a) => originOf(a, address.port));
  };
  const hub = new MeetingHub({
    storage: storage2,
    clock,
    logger: logger2,
    inactivityLimitMs: deps.inactivityLimitMs,
    phoneOrigins: phoneOrigins2
  });
  const trustProxy = deps.trustProxy ?? { kind: "none" };
  const clientAddress = createClientAddress(trustProxy);
  const limits = deps.limits ?? new Limits({ now: () => clock.now(), logger: logger2 });
  const web = express3();
  web.disable("x-powered-by");
  web.set("trust proxy", trustFunction(trustProxy));
  web.use(securityHeaders(deps.publicOrigin));
  const metrics = createMetrics({ hub, storage: storage2, socketConnections: () => io.of("/").sockets.size });
  const allow = deps.metricsAllow ?? DEFAULT_METRICS_ALLOW;
  web.use(createMetricsRoutes({ metrics, allow, trustProxy, clientAddress, logger: logger2 }));
  web.use(
    createRoutes({
      hub,
      clock,
      createKey: deps.createKey,
      publicOrigin: deps.publicOrigin,
      phoneOrigins: phoneOrigins2,
      clientAddress
    })
  );
  const clientDir = deps.clientDir;
  if (clientDir && existsSync(path.join(clientDir, "index.html"))) {
    web.use(express3.static(clientDir, { index: false, maxAge: "1h" }));
    web.get(/.*/, (_req, res) => {
      res.setHeader("Cache-Control", "no-cache");
      res.sendFile(path.join(clientDir, "index.html"));
    });
  }
  web.use((error, _req, res, _next) => {
    const malformed = error.type === "entity.parse.failed" || error.type === "entity.too.large";
    if (!malformed) logger2.error("http.failed", { error: error.name });
    res.status(malformed ? 400 : 500).json({
      error: {
        code: malformed ? ERROR_CODES.BAD_REQUEST : ERROR_CODES.UNAVAILABLE,
        message: !malformed ? "server error" : error.type === "entity.too.large" ? "body too large" : "malformed JSON body"
      }
    });
  });
  const http = createServer(web);
  const connections = trackConnections(http);
  const io = new Server(http, {
    serveClient: false,
    maxHttpBufferSize: 64 * 1024,
    cors: deps.publicOrigin ? { origin: deps.publicOrigin } : void 0,
    allowRequest: (req, callback) => callback(null, originAllowed(req.headers.origin, req.headers.host, deps.publicOrigin))
  });
  hub.broadcaster = socketBroadcaster(io, hub);
  const board = deps.createBoard?.({
    hub,
    storage: storage2,
    clock,
    random: deps.random,
    logger: logger2,
    publicOrigin: deps.publicOrigin,
    io,
    limits,
    clientAddress
  }) ?? null;
  attachSocketHandlers(io, { hub, clock, logger: logger2, board, limits, clientAddress });
  io.on("connection", (socket) => metrics.watchSocket(socket));
  http.on("upgrade", (req, socket, head) => {
    if (board?.handleUpgrade(req, socket, head)) return metrics.boardSocketOpened(socket);
    if (!req.url?.startsWith("/socket.io/")) socket.destroy();
  });
  hub.loadAll();
  board?.resumeReleases();
  let closed = null;
  return {
    http,
    io,
    hub,
    board,
    clientAddress,
    listen(port2, host) {
      return new Promise((resolve, reject) => {
        http.once("error", reject);
        http.listen(port2, host, () => resolve(http.address().port));
      });
    },
    close() {
      closed ??= (async () => {
        hub.stop();
        const cancelCut = connections.cutAfter(DRAIN_GRACE_MS);
        await board?.close();
        await new Promise((resolve) => {
          void io.close(() => resolve());
        });
        cancelCut();
        http.closeAllConnections();
        metrics.close();
        storage2.close();
        logger2.info("server.closed");
      })();
      return closed;
    }
  };
}

// server/board/createBoardService.ts
import * as Y6 from "yjs";

// shared/board/closeCodes.ts
var BOARD_CLOSE = {
  /** A message that is not a well-formed y-websocket message, or a text frame. */
  MALFORMED: 4400,
  /** No seat token, an unknown one, or the seat was removed. */
  BAD_TOKEN: 4401,
  /** Origin not allowed, seat not admitted, another meeting's token, or a write this seat may not make. */
  FORBIDDEN: 4403,
  /** No such meeting or case. */
  NOT_FOUND: 4404,
  /**
   * The board is not shown to this role in the current phase (or it is another case's board).
   * The client connects again when its meeting view says the board is visible.
   */
  NOT_VISIBLE: 4409,
  /** The meeting ended and its board was deleted: clear the local copy. */
  MEETING_ENDED: 4410,
  /**
   * The seat opened more board connections to this board than allowed: this one, its oldest, made
   * room for a newer one. Final: the newer connection carries on.
   */
  SUPERSEDED: 4408,
  /**
   * Too many frames or connections, or the seat is refused for a while after a sustained flood
   * (30 s). Final for a stock client: connect again later.
   */
  RATE_LIMITED: 4429,
  /** A leader update larger than the server accepts. */
  TOO_LARGE: 4413,
  /**
   * A leader update depended on content the server never received (a gap in the client's
   * updates): it was held for its missing part at most HELD_UPDATE_MAX_MS and HELD_UPDATE_MAX_BYTES
   * (server/board/updateCheck.ts), then the connection was closed (WIRE-3). The client's copy holds
   * changes the server will never apply: it is thrown away and a fresh one synced.
   */
  INCOMPLETE_UPDATE: 4422,
  /** The server is shutting down; a standard code, so the client reconnects by itself. */
  GOING_AWAY: 1001,
  /** The server failed on this connection (a store failed, or a frame could not be handled); transient. */
  SERVER_ERROR: 1011,
  /** This connection fell too far behind; transient, the client reconnects and resyncs. */
  TRY_AGAIN: 1013
};

// server/board/connections.ts
import { WebSocketServer } from "ws";

// shared/board/access.ts
function boardAccess(state, seatId, caseIndex) {
  if (!state) return { kind: "refuse", code: BOARD_CLOSE.NOT_FOUND, reason: "no such meeting" };
  if (state.status === "ended")
    return { kind: "refuse", code: BOARD_CLOSE.MEETING_ENDED, reason: "meeting ended" };
  const seat = findSeat(state, seatId);
  if (!seat) return { kind: "refuse", code: BOARD_CLOSE.BAD_TOKEN, reason: "unknown seat" };
  if (!seat.admitted) return { kind: "refuse", code: BOARD_CLOSE.FORBIDDEN, reason: "not admitted yet" };
  if (!Number.isInteger(caseIndex) || caseIndex < 0 || caseIndex >= state.cases.length) {
    return { kind: "refuse", code: BOARD_CLOSE.NOT_FOUND, reason: "no such case" };
  }
  if (isLeaderRole(effectiveRole(state, seat))) return { kind: "write" };
  return boardShownNow(state, caseIndex) ? { kind: "read" } : { kind: "refuse", code: BOARD_CLOSE.NOT_VISIBLE, reason: "the board is not shown now" };
}
function boardShownNow(state, caseIndex) {
  if (state.status !== "running" || !state.current) return false;
  const phase = state.phases[state.current.index];
  return !!phase?.rules.boardVisible && currentCaseIndex(state) === caseIndex;
}

// server/board/protocol.ts
import * as Y5 from "yjs";

// server/board/awarenessCheck.ts
var MAX_AWARENESS_ENTRIES = 64;
var MAX_AWARENESS_STATE_CHARS = 1024;
var MAX_AWARENESS_DEPTH = 8;
function awarenessTextProblem(json) {
  if (json.length > MAX_AWARENESS_STATE_CHARS) {
    return `awareness state over ${MAX_AWARENESS_STATE_CHARS} characters`;
  }
  let depth = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const ch = json[i];
    if (inString) {
      if (ch === "\\") i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === "{" || ch === "[") {
      depth++;
      if (depth > MAX_AWARENESS_DEPTH) return `awareness state nested over ${MAX_AWARENESS_DEPTH} levels`;
    } else if (ch === "}" || ch === "]") depth--;
  }
  return null;
}
function isAllowedLeaderState(state) {
  if (state === null) return true;
  return typeof state === "object" && !Array.isArray(state) && Object.keys(state).length === 0;
}

// server/board/room.ts
import * as awarenessProtocol from "y-protocols/awareness";
import * as Y3 from "yjs";

// shared/board/schema.ts
import * as Y from "yjs";
import { z as z4 } from "zod";

// shared/board/commands.ts
import { z as z3 } from "zod";

// shared/board/limits.ts
var NOTE_TEXT_MAX = 500;

// shared/board/commands.ts
var noteText = z3.string().max(NOTE_TEXT_MAX * 4).transform((t) => t.trim()).pipe(
  z3.string().min(1, "empty note").max(NOTE_TEXT_MAX, `at most ${NOTE_TEXT_MAX} characters`).refine((t) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(t), "control characters")
);
var secret = z3.string().regex(/^[0-9a-f]{32,128}$/, "a hex secret of at least 128 bits");
var noteId = z3.string().regex(/^[A-Za-z0-9_-]{8,64}$/);
var noteAddSchema = z3.object({ secret, kind: z3.enum(NOTE_KINDS), text: noteText }).strict();
var noteEditSchema = z3.object({ noteId, secret, text: noteText }).strict();
var noteDeleteSchema = z3.object({ noteId, secret }).strict();
var noteMineSchema = z3.object({ notes: z3.array(z3.object({ noteId, secret }).strict()).max(200) }).strict();
var noteModerateSchema = z3.object({ noteId, action: z3.enum(["approve", "hide", "show", "remove"]) }).strict();
var noteResonateSchema = z3.object({ noteId, on: z3.boolean() }).strict();
var boardReleaseSchema = z3.object({}).strict();

// shared/board/schema.ts
var NOTES_KEY = "notes";
var THEMES_KEY = "themes";
var BOARD_ROOT_KEYS = [NOTES_KEY, THEMES_KEY];
var THEME_NAME_MAX = 80;
var MAX_THEMES = 60;
var BOARD_COORD_MAX = 1e5;
var AUTHOR_NAME_MAX = 60;
var ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;
var coord = z4.number().finite().min(-BOARD_COORD_MAX).max(BOARD_COORD_MAX);
var noteFieldsSchema = z4.object({
  text: z4.string().min(1).max(NOTE_TEXT_MAX),
  kind: z4.enum(NOTE_KINDS),
  /** The theme (cluster) it belongs to, or null. */
  theme: z4.string().regex(ID_PATTERN).nullable(),
  highlight: z4.boolean(),
  /** In the parking lot (advice, off-topic). */
  parked: z4.boolean(),
  /** Null until a leader places it; clients lay unplaced notes out in board order (by id). */
  x: coord.nullable(),
  y: coord.nullable(),
  /** How many times the presenter marked it as resonating: a count, no names. */
  resonance: z4.number().int().min(0).max(1e3),
  /** The release batch it came out in: the finest time the board keeps. */
  batch: z4.number().int().min(0),
  /** Named meetings only. */
  author: z4.string().max(AUTHOR_NAME_MAX).optional()
}).strict();
var themeFieldsSchema = z4.object({ name: z4.string().min(1).max(THEME_NAME_MAX) }).strict();
var LEADER_NOTE_FIELDS = ["theme", "highlight", "parked", "x", "y"];
function isBoardId(id2) {
  return ID_PATTERN.test(id2);
}
function notesMap(doc) {
  return doc.getMap(NOTES_KEY);
}
function themesMap(doc) {
  return doc.getMap(THEMES_KEY);
}
function rawEntries(map) {
  const out = {};
  for (const [key, value] of map.entries()) out[key] = value;
  return out;
}
function plainFields(value) {
  if (!(value instanceof Y.Map)) return null;
  const raw = rawEntries(value);
  for (const v of Object.values(raw)) {
    if (v instanceof Y.AbstractType || v instanceof Y.Doc || v instanceof Uint8Array) return null;
  }
  return raw;
}
function readNote(id2, value) {
  const raw = plainFields(value);
  const parsed = raw ? noteFieldsSchema.safeParse(raw) : null;
  return parsed?.success ? { id: id2, ...parsed.data } : null;
}
function readTheme(id2, value) {
  const raw = plainFields(value);
  const parsed = raw ? themeFieldsSchema.safeParse(raw) : null;
  return parsed?.success ? { id: id2, name: parsed.data.name } : null;
}
function readBoard(doc) {
  const notes = [];
  for (const [id2, value] of notesMap(doc).entries()) {
    const note = readNote(id2, value);
    if (note) notes.push(note);
  }
  notes.sort((a, b) => a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const themes = [];
  for (const [id2, value] of themesMap(doc).entries()) {
    const theme = readTheme(id2, value);
    if (theme) themes.push(theme);
  }
  themes.sort((a, b) => a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  return { notes, themes };
}
var DEFAULT_LAYOUT = {
  theme: null,
  highlight: false,
  parked: false,
  x: null,
  y: null,
  resonance: 0
};
function insertNote(doc, note) {
  const fields = {
    text: note.text,
    kind: note.kind,
    ...DEFAULT_LAYOUT,
    ...note.layout,
    batch: note.batch
  };
  if (note.author !== void 0) fields.author = note.author;
  const map = new Y.Map();
  for (const [key, value] of Object.entries(fields)) map.set(key, value);
  notesMap(doc).set(note.id, map);
}
function setNoteText(doc, id2, text) {
  const map = notesMap(doc).get(id2);
  if (!(map instanceof Y.Map)) return false;
  map.set("text", text);
  return true;
}
function setNoteResonance(doc, id2, resonance) {
  const map = notesMap(doc).get(id2);
  if (!(map instanceof Y.Map)) return false;
  map.set("resonance", resonance);
  return true;
}
function removeNote(doc, id2) {
  const notes = notesMap(doc);
  const note = readNote(id2, notes.get(id2));
  if (!notes.has(id2)) return null;
  notes.delete(id2);
  if (!note) return { ...DEFAULT_LAYOUT };
  const { theme, highlight, parked, x, y, resonance } = note;
  return { theme, highlight, parked, x, y, resonance };
}

// server/board/wire.ts
import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import * as Y2 from "yjs";
var MESSAGE_SYNC = 0;
var MESSAGE_AWARENESS = 1;
var MESSAGE_AUTH = 2;
var MESSAGE_QUERY_AWARENESS = 3;
var SYNC_STEP_1 = 0;
var SYNC_STEP_2 = 1;
var SYNC_UPDATE = 2;
function parseBoardMessage(data) {
  try {
    const decoder = decoding.createDecoder(data);
    const message = readMessage(decoder);
    if (decoding.hasContent(decoder)) return { ok: false, reason: "trailing bytes" };
    return { ok: true, message };
  } catch (error) {
    return {
      ok: false,
      reason: error instanceof Error && error.message ? error.message : "malformed message"
    };
  }
}
function readMessage(decoder) {
  const type = decoding.readVarUint(decoder);
  switch (type) {
    case MESSAGE_SYNC: {
      const step = decoding.readVarUint(decoder);
      const payload = decoding.readVarUint8Array(decoder);
      if (step === SYNC_STEP_1) {
        Y2.decodeStateVector(payload);
        return { type: "sync-step-1", stateVector: payload };
      }
      if (step === SYNC_STEP_2 || step === SYNC_UPDATE) {
        Y2.decodeUpdate(payload);
        return { type: step === SYNC_STEP_2 ? "sync-step-2" : "sync-update", update: payload };
      }
      throw new Error("unknown sync step");
    }
    case MESSAGE_AWARENESS: {
      const update = decoding.readVarUint8Array(decoder);
      return { type: "awareness", update, entries: readAwarenessUpdate(update) };
    }
    case MESSAGE_QUERY_AWARENESS:
      return { type: "query-awareness" };
    case MESSAGE_AUTH:
      throw new Error("auth messages are server to client");
    default:
      throw new Error("unknown message type");
  }
}
function readAwarenessUpdate(update) {
  const decoder = decoding.createDecoder(update);
  const count = decoding.readVarUint(decoder);
  if (count > MAX_AWARENESS_ENTRIES) throw new Error(`over ${MAX_AWARENESS_ENTRIES} awareness entries`);
  const entries = [];
  for (let i = 0; i < count; i++) {
    const clientId = decoding.readVarUint(decoder);
    const clock = decoding.readVarUint(decoder);
    const json = decoding.readVarString(decoder);
    const problem = awarenessTextProblem(json);
    if (problem) throw new Error(problem);
    const state = JSON.parse(json);
    entries.push({ clientId, clock, state });
  }
  if (decoding.hasContent(decoder)) throw new Error("trailing bytes in awareness update");
  return entries;
}
function frame(write) {
  const encoder = encoding.createEncoder();
  write(encoder);
  return encoding.toUint8Array(encoder);
}
function syncStep1Frame(doc) {
  return frame((e) => {
    encoding.writeVarUint(e, MESSAGE_SYNC);
    encoding.writeVarUint(e, SYNC_STEP_1);
    encoding.writeVarUint8Array(e, Y2.encodeStateVector(doc));
  });
}
function syncStep2Frame(doc, stateVector) {
  return frame((e) => {
    encoding.writeVarUint(e, MESSAGE_SYNC);
    encoding.writeVarUint(e, SYNC_STEP_2);
    encoding.writeVarUint8Array(e, Y2.encodeStateAsUpdate(doc, stateVector));
  });
}
function updateFrame(update) {
  return frame((e) => {
    encoding.writeVarUint(e, MESSAGE_SYNC);
    encoding.writeVarUint(e, SYNC_UPDATE);
    encoding.writeVarUint8Array(e, update);
  });
}
function awarenessFrame(awarenessUpdate) {
  return frame((e) => {
    encoding.writeVarUint(e, MESSAGE_AWARENESS);
    encoding.writeVarUint8Array(e, awarenessUpdate);
  });
}
var KEEP_ALIVE_FRAME = awarenessFrame(frame((e) => encoding.writeVarUint(e, 0)));

// server/board/room.ts
var COMPACT_AFTER_UPDATES = 100;
var COMPACT_AFTER_DELETE_MS = 2e3;
var MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
var BoardRoom = class {
  constructor(meetingId, caseIndex, storage2, now = Date.now) {
    this.meetingId = meetingId;
    this.caseIndex = caseIndex;
    this.storage = storage2;
    this.now = now;
    const updates = storage2.loadBoardUpdates(meetingId, caseIndex);
    if (updates.length > 0) Y3.applyUpdate(this.doc, Y3.mergeUpdates(updates));
    this.storedUpdates = updates.length;
    notesMap(this.doc);
    themesMap(this.doc);
    if (this.storedUpdates > 1) this.compact();
  }
  meetingId;
  caseIndex;
  storage;
  now;
  doc = new Y3.Doc();
  conns = /* @__PURE__ */ new Set();
  awareness = null;
  storedUpdates = 0;
  compactTimer = null;
  /**
   * Applies `change` with the server's writer (or a checked leader update), stores the resulting
   * update together with `alsoStore` (run after `change`) in one transaction, and only then relays it. Returns the
   * update, or null when nothing changed. If storing throws, the in-memory document may be ahead
   * of storage: the caller must drop this room.
   */
  commit(change, alsoStore, origin = null) {
    const captured = [];
    const capture = (update) => captured.push(update);
    this.storage.transaction(() => {
      this.doc.on("update", capture);
      try {
        this.doc.transact(() => change(this.doc), origin);
      } finally {
        this.doc.off("update", capture);
      }
      alsoStore?.();
      for (const update of captured) this.storage.appendBoardUpdate(this.meetingId, this.caseIndex, update);
    });
    this.storedUpdates += captured.length;
    for (const update of captured) this.broadcast(updateFrame(update), origin);
    if (this.storedUpdates >= COMPACT_AFTER_UPDATES) this.compact();
    else if (captured.some(deletesSomething)) this.compactSoon();
    return captured.length > 0 ? captured.length === 1 ? captured[0] : Y3.mergeUpdates(captured) : null;
  }
  /**
   * Merges the stored updates into one, then drops the content of deleted items (a garbage-
   * collected encoding of the same structs): every item keeps its id, so connected copies see no
   * change, and the text of deleted notes leaves the file. Never a rebuilt document.
   */
  compact() {
    if (this.compactTimer) clearTimeout(this.compactTimer);
    this.compactTimer = null;
    const updates = this.storage.loadBoardUpdates(this.meetingId, this.caseIndex);
    if (updates.length <= 1) {
      this.storedUpdates = updates.length;
      return;
    }
    const gc = new Y3.Doc();
    Y3.applyUpdate(gc, Y3.mergeUpdates(updates));
    this.storage.replaceBoardUpdates(this.meetingId, this.caseIndex, Y3.encodeStateAsUpdate(gc));
    gc.destroy();
    this.storedUpdates = 1;
  }
  /** Compacts within COMPACT_AFTER_DELETE_MS; a failure is retried by the next deletion or drain. */
  compactSoon() {
    if (this.compactTimer) return;
    this.compactTimer = setTimeout(() => {
      this.compactTimer = null;
      try {
        this.compact();
      } catch {
        this.onCompactFailed();
      }
    }, COMPACT_AFTER_DELETE_MS);
    this.compactTimer.unref();
  }
  /** Set by the core to log a failed background compaction (no content in the log). */
  onCompactFailed = () => {
  };
  join(conn) {
    this.conns.add(conn);
    this.awareness ??= this.openAwareness();
  }
  leave(conn) {
    if (!this.conns.delete(conn)) return;
    if (this.awareness && conn.awarenessIds.size > 0) {
      awarenessProtocol.removeAwarenessStates(this.awareness, [...conn.awarenessIds], null);
    }
    if (this.conns.size === 0) this.closeAwareness();
  }
  /** Leaders' awareness (cursors, selection) is relayed; nobody else's reaches this. */
  applyLeaderAwareness(conn, update) {
    if (!this.awareness) return;
    awarenessProtocol.applyAwarenessUpdate(this.awareness, update, conn);
  }
  /** The awareness states to answer a query with: leaders' only. */
  awarenessSnapshot() {
    if (!this.awareness) return null;
    const ids = [...this.awareness.getStates().keys()];
    return ids.length > 0 ? awarenessFrame(awarenessProtocol.encodeAwarenessUpdate(this.awareness, ids)) : null;
  }
  broadcast(frame2, except = null) {
    for (const conn of this.conns) if (conn !== except) send(conn, frame2);
  }
  destroy() {
    if (this.compactTimer) clearTimeout(this.compactTimer);
    this.compactTimer = null;
    this.closeAwareness();
    this.conns.clear();
    this.doc.destroy();
  }
  openAwareness() {
    const awareness = new awarenessProtocol.Awareness(this.doc);
    awareness.setLocalState(null);
    awareness.on(
      "update",
      ({ added, updated, removed }, origin) => {
        const conn = [...this.conns].find((c) => c === origin);
        if (conn) {
          for (const id2 of added) conn.awarenessIds.add(id2);
          for (const id2 of removed) conn.awarenessIds.delete(id2);
        }
        const changed = [...added, ...updated, ...removed];
        this.broadcast(awarenessFrame(awarenessProtocol.encodeAwarenessUpdate(awareness, changed)));
      }
    );
    return awareness;
  }
  closeAwareness() {
    this.awareness?.destroy();
    this.awareness = null;
  }
};
function deletesSomething(update) {
  return Y3.decodeUpdate(update).ds.clients.size > 0;
}
function send(conn, frame2) {
  const ws = conn.ws;
  if (ws.readyState !== ws.OPEN) return;
  if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
    ws.close(1013, "too far behind");
    return;
  }
  ws.send(frame2);
  conn.lastSentAt = conn.room.now();
}

// server/board/updateCheck.ts
import * as Y4 from "yjs";
var HELD_UPDATE_MAX_MS = 5e3;
var HELD_UPDATE_MAX_BYTES = 64 * 1024;
var DEFAULT_LEADER_LIMITS = {
  maxUpdateBytes: 256 * 1024,
  maxBoardBytes: 4 * 1024 * 1024
};
function bringsNothingNew(doc, update) {
  return Y4.snapshotContainsUpdate(Y4.snapshot(doc), update);
}
function checkReadOnlyUpdate(doc, update) {
  try {
    if (bringsNothingNew(doc, update)) return { kind: "nothing-new" };
  } catch {
    return { kind: "refused", code: BOARD_CLOSE.MALFORMED, reason: "malformed update" };
  }
  return { kind: "refused", code: BOARD_CLOSE.FORBIDDEN, reason: "read-only board" };
}
function checkLeaderUpdate(doc, update, limits = DEFAULT_LEADER_LIMITS) {
  if (update.length > limits.maxUpdateBytes) {
    return {
      kind: "refused",
      code: BOARD_CLOSE.TOO_LARGE,
      reason: `update over ${limits.maxUpdateBytes} bytes`
    };
  }
  let nothingNew;
  try {
    nothingNew = bringsNothingNew(doc, update);
  } catch {
    return { kind: "refused", code: BOARD_CLOSE.MALFORMED, reason: "malformed update" };
  }
  if (nothingNew) return { kind: "nothing-new" };
  const base = Y4.encodeStateAsUpdate(doc);
  if (base.length + update.length > limits.maxBoardBytes) {
    return { kind: "refused", code: BOARD_CLOSE.TOO_LARGE, reason: "the board is full" };
  }
  const scratch = new Y4.Doc();
  try {
    Y4.applyUpdate(scratch, base);
    try {
      Y4.applyUpdate(scratch, update);
    } catch {
      return { kind: "refused", code: BOARD_CLOSE.MALFORMED, reason: "malformed update" };
    }
    if (scratch.store.pendingStructs !== null || scratch.store.pendingDs !== null)
      return { kind: "incomplete" };
    const problem = boardChangeProblem(doc, scratch);
    return problem ? { kind: "refused", code: BOARD_CLOSE.FORBIDDEN, reason: problem } : { kind: "allowed" };
  } finally {
    scratch.destroy();
  }
}
function boardChangeProblem(before, after) {
  for (const key of after.share.keys()) {
    if (!BOARD_ROOT_KEYS.includes(key)) return `unknown root "${key.slice(0, 20)}"`;
  }
  const notesBefore = notesMap(before);
  const notesAfter = notesMap(after);
  const themesAfter = themesMap(after);
  if (hasListContent(notesAfter) || hasListContent(themesAfter)) return "list content in a map";
  for (const id2 of notesBefore.keys()) if (!notesAfter.has(id2)) return "notes are removed by the server only";
  for (const [id2, value] of notesAfter.entries()) {
    const old = notesBefore.get(id2);
    if (!(old instanceof Y4.Map) || !(value instanceof Y4.Map)) return "notes are added by the server only";
    if (!sameItem(old, value)) return "a note was replaced";
    if (hasListContent(value)) return "list content in a note";
    const next = readNote(id2, value);
    if (!next) return noteFieldProblem(value);
    const prev = readNote(id2, old);
    if (prev && serverFieldsChanged(prev, next)) return "only layout fields of a note may change";
  }
  if (themesAfter.size > MAX_THEMES) return `at most ${MAX_THEMES} themes`;
  for (const [id2, value] of themesAfter.entries()) {
    if (!isBoardId(id2)) return "a theme id must be 8-64 letters, digits, _ or -";
    if (!(value instanceof Y4.Map) || hasListContent(value) || !readTheme(id2, value)) {
      return "a theme is { name: 1-80 characters }";
    }
  }
  return null;
}
var LEADER_FIELDS = new Set(LEADER_NOTE_FIELDS);
function serverFieldsChanged(prev, next) {
  const keys = /* @__PURE__ */ new Set([...Object.keys(prev), ...Object.keys(next)]);
  for (const key of keys) {
    if (LEADER_FIELDS.has(key)) continue;
    if (prev[key] !== next[key]) return true;
  }
  return false;
}
function noteFieldProblem(value) {
  for (const v of value.values()) {
    if (v instanceof Y4.AbstractType || v instanceof Y4.Doc) return "nested types in a note";
  }
  const parsed = noteFieldsSchema.safeParse(Object.fromEntries(value.entries()));
  const issue = parsed.success ? void 0 : parsed.error.issues[0];
  return issue ? `note field ${issue.path.join(".") || "?"}: ${issue.message}` : "malformed note";
}
function sameItem(a, b) {
  const x = a._item?.id;
  const y = b._item?.id;
  return !!x && !!y && x.client === y.client && x.clock === y.clock;
}
function hasListContent(type) {
  for (let item = type._start; item !== null; item = item.right) if (!item.deleted) return true;
  return false;
}

// server/board/protocol.ts
var MAX_MISSED_PONGS = 3;
var CLOSE_GRACE_MS = 2e3;
var KEEP_ALIVE_SLICE = 200;
var CLOSED = 3;
function createBoardProtocol(core, opts) {
  const { hub, logger: logger2 } = core.deps;
  const heldTimers = /* @__PURE__ */ new WeakMap();
  function open(sink, a) {
    let conn;
    try {
      const room = core.room(a.meetingId, a.caseIndex);
      conn = {
        ws: sink,
        meetingId: a.meetingId,
        seatId: a.seatId,
        room,
        awarenessIds: /* @__PURE__ */ new Set(),
        heldUpdate: null,
        missedPongs: 0
      };
      room.join(conn);
    } catch {
      logger2.error("board.load_failed", { meetingId: a.meetingId, caseIndex: a.caseIndex });
      sink.close(BOARD_CLOSE.SERVER_ERROR, "server error");
      return null;
    }
    send(conn, syncStep1Frame(conn.room.doc));
    const awareness = conn.room.awarenessSnapshot();
    if (awareness) send(conn, awareness);
    logger2.debug("board.connected", { meetingId: a.meetingId, caseIndex: a.caseIndex });
    return conn;
  }
  function receive(conn, data, isBinary) {
    try {
      handle(conn, data, isBinary);
    } catch (error) {
      logger2.error("board.receive_failed", {
        meetingId: conn.meetingId,
        caseIndex: conn.room.caseIndex,
        error: error instanceof Error ? error.name : "unknown"
      });
      if (conn.room.conns.has(conn)) closeConn(conn, BOARD_CLOSE.SERVER_ERROR, "server error");
    }
  }
  function handle(conn, data, isBinary) {
    if (!conn.room.conns.has(conn)) return;
    heard(conn);
    if (!isBinary) return closeConn(conn, BOARD_CLOSE.MALFORMED, "binary frames only");
    const access = boardAccess(hub.state(conn.meetingId), conn.seatId, conn.room.caseIndex);
    if (access.kind === "refuse") return closeConn(conn, access.code, access.reason);
    const parsed = parseBoardMessage(data);
    if (!parsed.ok) return closeConn(conn, BOARD_CLOSE.MALFORMED, `malformed message: ${parsed.reason}`);
    const message = parsed.message;
    switch (message.type) {
      case "sync-step-1":
        send(conn, syncStep2Frame(conn.room.doc, message.stateVector));
        return;
      case "sync-step-2":
      case "sync-update": {
        if (access.kind === "write") return leaderUpdate(conn, message.update);
        const verdict = checkReadOnlyUpdate(conn.room.doc, message.update);
        if (verdict.kind === "refused") {
          logger2.info("board.write_refused", { meetingId: conn.meetingId, code: verdict.code });
          closeConn(conn, verdict.code, verdict.reason);
        }
        return;
      }
      case "awareness":
        if (access.kind !== "write") return;
        if (!message.entries.every((e) => isAllowedLeaderState(e.state))) {
          return closeConn(conn, BOARD_CLOSE.MALFORMED, "awareness state: only null or {}");
        }
        conn.room.applyLeaderAwareness(conn, message.update);
        return;
      case "query-awareness": {
        const frame2 = conn.room.awarenessSnapshot();
        if (frame2) send(conn, frame2);
        return;
      }
    }
  }
  function leaderUpdate(conn, incoming) {
    const room = conn.room;
    const update = conn.heldUpdate ? Y5.mergeUpdates([conn.heldUpdate, incoming]) : incoming;
    const verdict = checkLeaderUpdate(room.doc, update, opts.leaderLimits);
    if (verdict.kind === "incomplete") return hold(conn, update);
    releaseHold(conn);
    if (verdict.kind === "nothing-new") return;
    if (verdict.kind === "refused") {
      logger2.warn("board.leader_update_refused", { meetingId: conn.meetingId, code: verdict.code });
      return closeConn(conn, verdict.code, verdict.reason);
    }
    try {
      core.commit(conn.meetingId, room.caseIndex, (doc) => Y5.applyUpdate(doc, update, conn), void 0, conn);
      hub.touch(conn.meetingId);
    } catch {
      logger2.error("board.store_failed", { meetingId: conn.meetingId, caseIndex: room.caseIndex });
    }
  }
  function hold(conn, update) {
    if (update.length > HELD_UPDATE_MAX_BYTES) {
      return giveUpHeld(
        conn,
        `an update waiting for a missing part grew over ${HELD_UPDATE_MAX_BYTES} bytes`
      );
    }
    conn.heldUpdate = update;
    if (heldTimers.has(conn)) return;
    const { clock } = core.deps;
    heldTimers.set(
      conn,
      clock.setTimer(clock.now() + HELD_UPDATE_MAX_MS, () => {
        heldTimers.delete(conn);
        if (conn.heldUpdate && conn.room.conns.has(conn)) {
          giveUpHeld(conn, `an update waited ${HELD_UPDATE_MAX_MS / 1e3} s for a missing part`);
        }
      })
    );
  }
  function giveUpHeld(conn, reason) {
    logger2.warn("board.held_update_dropped", { meetingId: conn.meetingId, caseIndex: conn.room.caseIndex });
    closeConn(conn, BOARD_CLOSE.INCOMPLETE_UPDATE, reason);
  }
  function releaseHold(conn) {
    conn.heldUpdate = null;
    heldTimers.get(conn)?.cancel();
    heldTimers.delete(conn);
  }
  function closeConn(conn, code, reason) {
    releaseHold(conn);
    conn.room.leave(conn);
    conn.ws.close(code, truncateReason(reason));
    const { clock } = core.deps;
    const ref = new WeakRef(conn.ws);
    clock.setTimer(clock.now() + CLOSE_GRACE_MS, () => {
      const ws = ref.deref();
      if (ws && ws.readyState !== CLOSED) ws.terminate();
    });
  }
  function review(meetingId) {
    const state = hub.state(meetingId);
    for (const room of core.loadedRooms(meetingId)) {
      for (const conn of [...room.conns]) {
        const access = boardAccess(state, conn.seatId, room.caseIndex);
        if (access.kind === "refuse") closeConn(conn, access.code, access.reason);
      }
    }
  }
  function heard(conn) {
    conn.missedPongs = 0;
    conn.lastHeardAt = core.deps.clock.now();
  }
  let round = null;
  function tick(intervalMs) {
    round ??= runRound(intervalMs).finally(() => round = null);
    return round;
  }
  async function runRound(intervalMs) {
    const conns = [];
    for (const room of core.loadedRooms()) for (const conn of room.conns) conns.push(conn);
    const recent = intervalMs / 2;
    for (let start = 0; start < conns.length; start += KEEP_ALIVE_SLICE) {
      if (start > 0) await new Promise((resolve) => setImmediate(resolve));
      const now = core.deps.clock.now();
      for (const conn of conns.slice(start, start + KEEP_ALIVE_SLICE)) {
        try {
          keepAlive(conn, now, recent);
        } catch (error) {
          logger2.error("board.keepalive_failed", { error: error instanceof Error ? error.name : "unknown" });
        }
      }
    }
  }
  function keepAlive(conn, now, recent) {
    const room = conn.room;
    if (!room.conns.has(conn)) return;
    if (conn.missedPongs >= MAX_MISSED_PONGS) {
      room.leave(conn);
      conn.ws.terminate();
      return;
    }
    if (conn.lastHeardAt === void 0 || now - conn.lastHeardAt >= recent) {
      conn.missedPongs += 1;
      if (conn.ws.readyState === conn.ws.OPEN) conn.ws.ping();
    }
    if (conn.lastSentAt === void 0 || now - conn.lastSentAt >= recent) send(conn, KEEP_ALIVE_FRAME);
  }
  core.onRoomDropped = (room, code, reason) => {
    for (const conn of [...room.conns]) closeConn(conn, code, reason);
  };
  return { open, receive, review, tick, heard, closeConn };
}
function truncateReason(reason) {
  let r = reason;
  while (Buffer.byteLength(r) > 120) r = r.slice(0, -1);
  return r;
}

// server/board/connections.ts
var CLOSE_GRACE_MS2 = 1e3;
var MAX_QUEUED_FRAMES = 500;
var ROOM_PATH = new RegExp(`^${BOARD_PATH}/([A-Za-z0-9_-]{1,64})/(\\d{1,2})$`);
var RATE_LIMITED = {
  kind: "refuse",
  code: BOARD_CLOSE.RATE_LIMITED,
  reason: "rate-limited: too many connections, try again later"
};
function createBoardSockets(core, opts) {
  const { hub, logger: logger2, clock } = core.deps;
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: opts.maxPayloadBytes,
    perMessageDeflate: false,
    // Only our subprotocol is ever echoed: never the token that follows it in the list.
    handleProtocols: (protocols) => protocols.has(BOARD_SUBPROTOCOL) ? BOARD_SUBPROTOCOL : false
  });
  const protocol = createBoardProtocol(core, { leaderLimits: opts.leaderLimits });
  let keepAlive = null;
  let closing = false;
  let connections = 0;
  const open = new SeatConnections(
    BOARDS_PER_SEAT,
    (oldest) => protocol.closeConn(
      oldest,
      BOARD_CLOSE.SUPERSEDED,
      `at most ${BOARDS_PER_SEAT} board connections per seat`
    )
  );
  const boardKey = (conn) => `${seatKey(conn.meetingId, conn.seatId)}/${conn.room.caseIndex}`;
  opts.limits.onFlood((seat) => {
    const meetingId = seat.slice(0, seat.indexOf("/"));
    for (const room of core.loadedRooms(meetingId)) {
      for (const conn of [...room.conns]) {
        if (seatKey(conn.meetingId, conn.seatId) === seat) {
          protocol.closeConn(conn, BOARD_CLOSE.RATE_LIMITED, "rate-limited: too many requests");
        }
      }
    }
  });
  function admit(req, path6) {
    if (!originAllowed(req.headers.origin, req.headers.host, opts.publicOrigin)) {
      return { kind: "refuse", code: BOARD_CLOSE.FORBIDDEN, reason: "origin not allowed" };
    }
    const offered = (req.headers["sec-websocket-protocol"] ?? "").split(",").map((p) => p.trim());
    const token = offered[0] === BOARD_SUBPROTOCOL ? offered[1] : void 0;
    const seat = token ? hub.authenticate(token) : null;
    if (!seat)
      return { kind: "refuse", code: BOARD_CLOSE.BAD_TOKEN, reason: "unknown or missing seat token" };
    const match = ROOM_PATH.exec(path6);
    if (!match) return { kind: "refuse", code: BOARD_CLOSE.NOT_FOUND, reason: "no such board" };
    const meetingId = match[1];
    const caseIndex = Number(match[2]);
    if (meetingId !== seat.meetingId) {
      return { kind: "refuse", code: BOARD_CLOSE.FORBIDDEN, reason: "this token belongs to another meeting" };
    }
    const access = boardAccess(hub.state(meetingId), seat.seatId, caseIndex);
    if (access.kind === "refuse") return access;
    return { kind: "admit", meetingId, seatId: seat.seatId, caseIndex };
  }
  function handleUpgrade(req, socket, head) {
    const path6 = (req.url ?? "").split("?")[0] ?? "";
    if (path6 !== BOARD_PATH && !path6.startsWith(`${BOARD_PATH}/`)) return false;
    if (closing) {
      socket.destroy();
      return true;
    }
    void admitWithinBudget(req, path6).then((admission) => {
      if (closing || socket.destroyed) return void socket.destroy();
      wss.handleUpgrade(req, socket, head, (ws) => accept(ws, admission));
    });
    return true;
  }
  async function admitWithinBudget(req, path6) {
    try {
      const byAddress = await opts.limits.connect(opts.clientAddress(req));
      if (!byAddress.ok) return RATE_LIMITED;
      const admission = admit(req, path6);
      if (admission.kind === "refuse") return admission;
      const bySeat = await opts.limits.boardUpgrade(seatKey(admission.meetingId, admission.seatId));
      return bySeat.ok ? admission : RATE_LIMITED;
    } catch (error) {
      logger2.error("board.admit_failed", { error: error instanceof Error ? error.name : "unknown" });
      return { kind: "refuse", code: BOARD_CLOSE.SERVER_ERROR, reason: "server error" };
    }
  }
  function accept(ws, admission) {
    ws.on("error", () => {
    });
    if (admission.kind === "refuse") {
      logger2.info("board.refused", { code: admission.code });
      ws.close(admission.code, admission.reason);
      return;
    }
    const conn = protocol.open(ws, admission);
    if (!conn) return;
    const id2 = `board-${connections += 1}`;
    const seat = seatKey(conn.meetingId, conn.seatId);
    let tail = Promise.resolve();
    let queued = 0;
    ws.on("message", (data, isBinary) => {
      if (queued >= MAX_QUEUED_FRAMES) {
        return protocol.closeConn(conn, BOARD_CLOSE.RATE_LIMITED, "rate-limited: too many frames waiting");
      }
      const bytes = toBytes(data);
      queued += 1;
      tail = tail.then(async () => {
        if (!conn.room.conns.has(conn)) return;
        const verdict = await opts.limits.frame(id2, seat);
        if (!verdict.ok) {
          return protocol.closeConn(conn, BOARD_CLOSE.RATE_LIMITED, "rate-limited: too many frames");
        }
        protocol.receive(conn, bytes, isBinary);
      }).catch(() => {
      }).finally(() => queued -= 1);
    });
    ws.on("pong", () => protocol.heard(conn));
    ws.on("close", () => {
      conn.room.leave(conn);
      open.remove(boardKey(conn), conn);
    });
    open.add(boardKey(conn), conn);
  }
  function arm() {
    keepAlive = closing ? null : clock.setTimer(clock.now() + opts.keepAliveMs, () => {
      void protocol.tick(opts.keepAliveMs).catch((error) => {
        logger2.error("board.keepalive_failed", {
          error: error instanceof Error ? error.name : "unknown"
        });
      });
      arm();
    });
  }
  arm();
  return {
    handleUpgrade,
    review: protocol.review,
    /** Stops the keep-alive; call after the rooms closed their connections (close frames sent). */
    async close() {
      closing = true;
      keepAlive?.cancel();
      const closed = new Promise((resolve) => wss.close(() => resolve()));
      let grace;
      await Promise.race([
        closed,
        new Promise((resolve) => grace = setTimeout(resolve, CLOSE_GRACE_MS2))
      ]);
      clearTimeout(grace);
      for (const ws of wss.clients) ws.terminate();
    }
  };
}
function toBytes(data) {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

// server/core/random.ts
import { randomBytes as randomBytes2 } from "node:crypto";
var cryptoRandom = {
  next: () => randomBytes2(6).readUIntBE(0, 6) / 2 ** 48
};
function shuffle(items, random) {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random.next() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

// server/board/release.ts
var MIN_BATCH = 3;
var RELEASE_DELAY_MIN_MS = 5e3;
var RELEASE_DELAY_MAX_MS = 2e4;
var WAITING_SIGNAL_PERIOD_MS = 3e4;
var SEEN = /* @__PURE__ */ new Set(["released", "screening", "hidden"]);
function pendingChanges(notes, caseIndex, settings) {
  const mine = notes.filter((n) => n.caseIndex === caseIndex);
  return {
    insert: mine.filter(
      (n) => n.status === "waiting" || n.status === "screening" && settings.release === "batch" && !n.pendingDelete
    ),
    edit: mine.filter(
      (n) => SEEN.has(n.status) && !n.pendingDelete && n.pendingText !== null && !(n.status === "screening" && settings.release === "batch")
    ),
    remove: mine.filter((n) => SEEN.has(n.status) && n.pendingDelete)
  };
}
function pendingCount(p) {
  return p.insert.length + p.edit.length + p.remove.length;
}
function shouldRelease(settings, pending, trigger) {
  if (pending === 0) return false;
  if (settings.anonymity === "named") return true;
  switch (trigger) {
    case "phase-end":
      return true;
    case "leader":
    case "timer":
      return pending >= MIN_BATCH;
    case "change":
      return false;
  }
}
function shouldArmDelay(settings, pending) {
  return settings.anonymity !== "named" && pending >= MIN_BATCH;
}
function releaseDelayMs(random) {
  const span = RELEASE_DELAY_MAX_MS - RELEASE_DELAY_MIN_MS + 1;
  return RELEASE_DELAY_MIN_MS + Math.min(span - 1, Math.floor(random.next() * span));
}
function releaseTarget(settings) {
  return settings.release === "screening" ? "screening" : "released";
}
function orderBatch(p, random) {
  const byId = (a, b) => a.noteId < b.noteId ? -1 : a.noteId > b.noteId ? 1 : 0;
  return {
    insert: shuffle([...p.insert].sort(byId), random),
    edit: [...p.edit].sort(byId),
    remove: [...p.remove].sort(byId)
  };
}

// server/board/releaseTimer.ts
var caseKey = (meetingId, caseIndex) => `${meetingId}/${caseIndex}`;
var ReleaseTimers = class {
  constructor(deps, fire) {
    this.deps = deps;
    this.fire = fire;
  }
  deps;
  fire;
  timers = /* @__PURE__ */ new Map();
  /** Arms a fresh delay for the case unless one is armed: later changes join the same batch. */
  arm(meetingId, caseIndex) {
    const key = caseKey(meetingId, caseIndex);
    if (this.timers.has(key)) return;
    const { clock, random, logger: logger2 } = this.deps;
    const at = clock.now() + releaseDelayMs(random);
    const handle = clock.setTimer(at, () => {
      if (this.timers.get(key)?.handle !== handle) return;
      this.timers.delete(key);
      try {
        this.fire(meetingId, caseIndex);
      } catch (error) {
        logger2.error("board.release_failed", {
          meetingId,
          caseIndex,
          error: error instanceof Error ? error.name : "unknown"
        });
        this.arm(meetingId, caseIndex);
      }
    });
    this.timers.set(key, { meetingId, handle });
  }
  isArmed(meetingId, caseIndex) {
    return this.timers.has(caseKey(meetingId, caseIndex));
  }
  cancel(meetingId, caseIndex) {
    const key = caseKey(meetingId, caseIndex);
    this.timers.get(key)?.handle.cancel();
    this.timers.delete(key);
  }
  /** The meeting was purged (or the server drains): no timer may touch it again. */
  purge(meetingId) {
    for (const [key, t] of this.timers) {
      if (meetingId !== void 0 && t.meetingId !== meetingId) continue;
      t.handle.cancel();
      this.timers.delete(key);
    }
  }
};

// server/board/waitingSignal.ts
var caseKey2 = (meetingId, caseIndex) => `${meetingId}/${caseIndex}`;
var WaitingSignal = class {
  constructor(clock, sample, onChange) {
    this.clock = clock;
    this.sample = sample;
    this.onChange = onChange;
  }
  clock;
  sample;
  onChange;
  shown = /* @__PURE__ */ new Map();
  timers = /* @__PURE__ */ new Map();
  get(meetingId, caseIndex) {
    return this.shown.get(caseKey2(meetingId, caseIndex)) ?? false;
  }
  /** Sets the flag without a delay: at start-up, whose moment tells nothing of a note. */
  prime(meetingId, caseIndex, waiting) {
    this.shown.set(caseKey2(meetingId, caseIndex), waiting);
  }
  /** Something of the case may have changed: the flag follows at the next grid point. */
  changed(meetingId, caseIndex) {
    const key = caseKey2(meetingId, caseIndex);
    if (this.timers.has(key)) return;
    const now = this.clock.now();
    const at = (Math.floor(now / WAITING_SIGNAL_PERIOD_MS) + 1) * WAITING_SIGNAL_PERIOD_MS;
    const handle = this.clock.setTimer(at, () => {
      if (this.timers.get(key)?.handle !== handle) return;
      this.timers.delete(key);
      const waiting = this.sample(meetingId, caseIndex);
      if (waiting === this.get(meetingId, caseIndex)) return;
      this.shown.set(key, waiting);
      this.onChange(meetingId);
    });
    this.timers.set(key, { meetingId, handle });
  }
  /** A batch left: nothing waits, and everyone can see that moment on the board. */
  released(meetingId, caseIndex) {
    const key = caseKey2(meetingId, caseIndex);
    this.timers.get(key)?.handle.cancel();
    this.timers.delete(key);
    this.shown.set(key, false);
  }
  purge(meetingId) {
    for (const [key, t] of this.timers) {
      if (meetingId !== void 0 && t.meetingId !== meetingId) continue;
      t.handle.cancel();
      this.timers.delete(key);
    }
    for (const key of this.shown.keys())
      if (meetingId === void 0 || key.startsWith(`${meetingId}/`)) this.shown.delete(key);
  }
};

// server/board/core.ts
var roomKey = (meetingId, caseIndex) => `${meetingId}/${caseIndex}`;
var BoardCore = class {
  constructor(deps) {
    this.deps = deps;
    this.releaseTimers = new ReleaseTimers(deps, (meetingId, caseIndex) => {
      this.release(meetingId, caseIndex, "timer");
      this.notifyLeaders(meetingId);
    });
    this.waiting = new WaitingSignal(
      deps.clock,
      (meetingId, caseIndex) => this.pendingOf(meetingId, caseIndex) > 0,
      (meetingId) => this.notifyLeaders(meetingId)
    );
  }
  deps;
  rooms = /* @__PURE__ */ new Map();
  sockets = /* @__PURE__ */ new Map();
  /** Called when a room is dropped, so its connections are closed. */
  onRoomDropped = () => {
  };
  /** The random release delay of each case whose batch is due (REL-1). */
  releaseTimers;
  /** Leaders' coarse "notes are waiting" flag (REL-5). */
  waiting;
  /** The last leaders' view each socket got: an unchanged view is not sent (REL-5). */
  lastLeaderView = /* @__PURE__ */ new WeakMap();
  room(meetingId, caseIndex) {
    const key = roomKey(meetingId, caseIndex);
    let room = this.rooms.get(key);
    if (!room) {
      room = new BoardRoom(meetingId, caseIndex, this.deps.storage, () => this.deps.clock.now());
      room.onCompactFailed = () => this.deps.logger.warn("board.compact_failed", { meetingId, caseIndex });
      this.rooms.set(key, room);
    }
    return room;
  }
  loadedRooms(meetingId) {
    return [...this.rooms.values()].filter((r) => meetingId === void 0 || r.meetingId === meetingId);
  }
  /** Commits to a case board; if storing fails the room is dropped and reloads from storage. */
  commit(meetingId, caseIndex, change, alsoStore, origin = null) {
    const room = this.room(meetingId, caseIndex);
    try {
      return room.commit(change, alsoStore, origin);
    } catch (error) {
      this.dropRoom(room, BOARD_CLOSE.SERVER_ERROR, "server error");
      throw error;
    }
  }
  dropRoom(room, code, reason) {
    const key = roomKey(room.meetingId, room.caseIndex);
    if (this.rooms.get(key) !== room) return;
    this.rooms.delete(key);
    this.onRoomDropped(room, code, reason);
    room.destroy();
  }
  /** How many changes of a case wait for the next release. */
  pendingOf(meetingId, caseIndex) {
    const state = this.deps.hub.state(meetingId);
    if (!state) return 0;
    const notes = this.deps.storage.listUnsettledNotes(meetingId, caseIndex);
    return pendingCount(pendingChanges(notes, caseIndex, state.settings));
  }
  /**
   * Sends the waiting changes of a case out if the release rules say so; returns how many went.
   * A change that does not go out arms the case's random delay once MIN_BATCH wait (REL-1).
   */
  release(meetingId, caseIndex, trigger) {
    const state = this.deps.hub.state(meetingId);
    if (!state) return 0;
    const notes = this.deps.storage.listUnsettledNotes(meetingId, caseIndex);
    const pending = pendingChanges(notes, caseIndex, state.settings);
    const count = pendingCount(pending);
    if (!shouldRelease(state.settings, count, trigger)) {
      if (shouldArmDelay(state.settings, count)) this.releaseTimers.arm(meetingId, caseIndex);
      this.waiting.changed(meetingId, caseIndex);
      return 0;
    }
    const batch = orderBatch(pending, this.deps.random);
    const target = releaseTarget(state.settings);
    const batchNo = this.nextBatch(meetingId, caseIndex);
    const rows = [];
    const { storage: storage2 } = this.deps;
    this.commit(
      meetingId,
      caseIndex,
      (doc) => {
        for (const n of batch.insert) {
          const text = n.pendingText ?? n.text;
          if (target === "released") insertNote(doc, this.newBoardNote(n, text, batchNo));
          const layout = target === "released" ? null : n.layout ?? null;
          rows.push(
            () => storage2.putNote({ ...n, text, pendingText: null, status: target, batch: batchNo, layout })
          );
        }
        for (const n of batch.edit) {
          const text = n.pendingText;
          let status = n.status;
          let layout = n.layout ?? null;
          if (n.status === "released" && target === "released") setNoteText(doc, n.noteId, text);
          if (n.status === "released" && target === "screening") {
            layout = removeNote(doc, n.noteId);
            status = "screening";
          }
          rows.push(() => storage2.putNote({ ...n, text, pendingText: null, status, layout }));
        }
        for (const n of batch.remove) {
          if (n.status === "released") removeNote(doc, n.noteId);
          rows.push(() => storage2.deleteNote(meetingId, n.noteId));
        }
      },
      () => rows.forEach((write) => write())
    );
    this.releaseTimers.cancel(meetingId, caseIndex);
    this.waiting.released(meetingId, caseIndex);
    this.deps.logger.info("board.released", { meetingId, caseIndex, count, trigger });
    return count;
  }
  newBoardNote(n, text, batch) {
    return {
      id: n.noteId,
      text,
      kind: n.kind,
      batch,
      author: n.authorName ?? void 0,
      layout: n.layout ?? void 0
    };
  }
  nextBatch(meetingId, caseIndex) {
    return (this.deps.storage.maxNoteBatch(meetingId, caseIndex) ?? -1) + 1;
  }
  /** A phase ended: every case's waiting changes go out. */
  releaseAll(meetingId, trigger) {
    const state = this.deps.hub.state(meetingId);
    if (!state) return 0;
    let released = 0;
    for (let c = 0; c < state.cases.length; c++) released += this.release(meetingId, c, trigger);
    return released;
  }
  // --- Leaders' views over Socket.IO -----------------------------------------------------------
  addSocket(socket) {
    const { meetingId } = socket.data;
    let set = this.sockets.get(meetingId);
    if (!set) {
      set = /* @__PURE__ */ new Set();
      this.sockets.set(meetingId, set);
    }
    set.add(socket);
  }
  removeSocket(socket) {
    const set = this.sockets.get(socket.data.meetingId);
    set?.delete(socket);
    if (set?.size === 0) this.sockets.delete(socket.data.meetingId);
  }
  leaderView(meetingId, seatId) {
    const state = this.deps.hub.state(meetingId);
    if (!state || !isLeaderSeat(state, seatId)) return null;
    const caseIndex = currentCaseIndex(state);
    const notes = this.deps.storage.listUnsettledNotes(meetingId, caseIndex);
    return {
      caseIndex,
      screening: notes.filter((n) => n.status === "screening").map(({ noteId: noteId2, kind, text }) => ({ noteId: noteId2, kind, text })),
      hidden: notes.filter((n) => n.status === "hidden").map(({ noteId: noteId2, kind, text }) => ({ noteId: noteId2, kind, text })),
      waiting: this.waiting.get(meetingId, caseIndex)
    };
  }
  /** Arms what a restart lost (REL-3): a fresh delay for every case whose batch is due. */
  resumeReleases() {
    for (const meetingId of this.deps.hub.meetingIds()) {
      const state = this.deps.hub.state(meetingId);
      if (!state) continue;
      for (let c = 0; c < state.cases.length; c++) {
        const count = this.pendingOf(meetingId, c);
        this.waiting.prime(meetingId, c, count > 0);
        if (shouldArmDelay(state.settings, count)) this.releaseTimers.arm(meetingId, c);
      }
    }
  }
  /** Sends one leader connection its view, unless it already has this very view. */
  notifySocket(socket, view = this.leaderView(socket.data.meetingId, socket.data.seatId)) {
    if (!view) return;
    const json = JSON.stringify(view);
    if (this.lastLeaderView.get(socket) === json) return;
    this.lastLeaderView.set(socket, json);
    socket.emit("board:leader", view);
  }
  /** Sends every leader connection of the meeting its notes view. */
  notifyLeaders(meetingId) {
    const sockets = this.sockets.get(meetingId);
    if (!sockets) return;
    const views = /* @__PURE__ */ new Map();
    for (const socket of sockets) {
      const seatId = socket.data.seatId;
      if (!views.has(seatId)) views.set(seatId, this.leaderView(meetingId, seatId));
      this.notifySocket(socket, views.get(seatId));
    }
  }
  /** The meeting was purged: keep nothing of it. */
  purge(meetingId, code, reason) {
    for (const room of this.loadedRooms(meetingId)) this.dropRoom(room, code, reason);
    this.sockets.delete(meetingId);
    this.releaseTimers.purge(meetingId);
    this.waiting.purge(meetingId);
  }
  /** Drain: compact what is stored, close connections, free every document. */
  close(code, reason) {
    for (const room of [...this.rooms.values()]) {
      try {
        room.compact();
      } catch {
        this.deps.logger.warn("board.compact_failed", {
          meetingId: room.meetingId,
          caseIndex: room.caseIndex
        });
      }
      this.dropRoom(room, code, reason);
    }
    this.sockets.clear();
    this.releaseTimers.purge();
    this.waiting.purge();
  }
};
function isLeaderSeat(state, seatId) {
  const seat = findSeat(state, seatId);
  return !!seat && seat.admitted && isLeaderRole(effectiveRole(state, seat));
}

// shared/board/export.ts
import { z as z5 } from "zod";
var boardExportSchema = z5.object({}).strict();
function exported(n) {
  return { kind: n.kind, text: n.text, highlight: n.highlight, resonance: n.resonance };
}
var byName = (a, b) => a.name.localeCompare(b.name, void 0, { sensitivity: "base" });
function buildBoardExport(title, exportedAt, boards) {
  const cases = [...boards].sort((a, b) => a.caseIndex - b.caseIndex).map(({ caseIndex, doc }) => {
    const { notes, themes } = readBoard(doc);
    const known = new Set(themes.map((t) => t.id));
    const inTheme = (id2) => notes.filter((n) => !n.parked && n.theme === id2).map(exported);
    return {
      caseIndex,
      themes: themes.map((t) => ({ name: t.name, notes: inTheme(t.id) })).sort(byName),
      unthemed: notes.filter((n) => !n.parked && (n.theme === null || !known.has(n.theme))).map(exported),
      parked: notes.filter((n) => n.parked).map(exported)
    };
  });
  return { title, exportedAt, cases };
}

// server/board/handlers/boardExport.ts
function handleBoardExport(core, socket, payload) {
  const parsed = parseOr(boardExportSchema, payload ?? {});
  if (!parsed.ok) return parsed;
  const { meetingId, seatId } = socket.data;
  const state = core.deps.hub.state(meetingId);
  if (!state) return fail(ERROR_CODES.NOT_FOUND, "no such meeting");
  if (!isLeaderSeat(state, seatId)) return fail(ERROR_CODES.FORBIDDEN, "leaders only");
  const boards = state.cases.map((_c, caseIndex) => ({
    caseIndex,
    doc: core.room(meetingId, caseIndex).doc
  }));
  const exp = buildBoardExport(state.title, core.deps.clock.now(), boards);
  core.deps.logger.info("board.exported", {
    meetingId,
    cases: exp.cases.length,
    notes: exp.cases.reduce(
      (n, c) => n + c.unthemed.length + c.parked.length + c.themes.reduce((m, t) => m + t.notes.length, 0),
      0
    )
  });
  return ok(exp);
}

// server/board/handlers/common.ts
var POST_REFUSALS = {
  "wrong-status": ERROR_CODES.WRONG_STATUS,
  "board-closed": ERROR_CODES.BOARD_CLOSED,
  "kind-not-allowed": ERROR_CODES.KIND_NOT_ALLOWED,
  "presenter-listening": ERROR_CODES.LISTENING,
  forbidden: ERROR_CODES.FORBIDDEN
};
function postRefusal(check) {
  return fail(POST_REFUSALS[check.reason], `cannot post: ${check.reason}`);
}
function authorStatus(note) {
  if (!note || note.pendingDelete) return "deleted";
  return note.status;
}
var NO_SUCH_NOTE = () => fail(ERROR_CODES.NO_SUCH_NOTE, "no such note, or not yours");

// server/board/handlers/noteAdd.ts
var MAX_NOTES_PER_CASE = 400;
function handleNoteAdd(core, socket, payload, shares) {
  const parsed = parseOr(noteAddSchema, payload);
  if (!parsed.ok) return parsed;
  const { hub, storage: storage2 } = core.deps;
  const { meetingId, seatId } = socket.data;
  const state = hub.state(meetingId);
  if (!state) return fail(ERROR_CODES.NOT_FOUND, "no such meeting");
  const seat = findSeat(state, seatId);
  if (!seat) return fail(ERROR_CODES.UNAUTHENTICATED, "unknown seat");
  const { secret: secret2, kind, text } = parsed.value;
  const secretHash = hashSecret(secret2);
  const earlier = storage2.findNoteBySecretHash(meetingId, secretHash);
  if (earlier) return ok({ noteId: earlier.noteId, status: authorStatus(earlier) });
  const check = canPostNote(state, seat, kind);
  if (!check.ok) return postRefusal(check);
  const caseIndex = currentCaseIndex(state);
  const leader = isLeaderSeat(state, seatId);
  if (!leader && shares.added(meetingId, caseIndex, seatId) >= NOTES_PER_SEAT_PER_CASE) {
    return fail(ERROR_CODES.LIMIT_REACHED, `at most ${NOTES_PER_SEAT_PER_CASE} notes per seat and case`);
  }
  const hidden = storage2.listUnsettledNotes(meetingId, caseIndex).filter((n) => n.status === "hidden").length;
  if (storage2.countNotes(meetingId, caseIndex) - hidden >= MAX_NOTES_PER_CASE)
    return fail(ERROR_CODES.LIMIT_REACHED, `at most ${MAX_NOTES_PER_CASE} notes per case`);
  const noteId2 = core.deps.newNoteId();
  storage2.putNote({
    meetingId,
    noteId: noteId2,
    caseIndex,
    kind,
    text,
    secretHash,
    status: "waiting",
    pendingText: null,
    pendingDelete: false,
    batch: null,
    authorName: state.settings.anonymity === "named" ? seat.name : null
  });
  if (!leader) shares.count(meetingId, caseIndex, seatId);
  core.release(meetingId, caseIndex, "change");
  hub.touch(meetingId);
  core.notifyLeaders(meetingId);
  return ok({ noteId: noteId2, status: authorStatus(storage2.getNote(meetingId, noteId2)) });
}

// server/board/handlers/noteEdit.ts
function ownNote(core, meetingId, noteId2, secret2) {
  const note = core.deps.storage.getNote(meetingId, noteId2);
  if (!note || note.pendingDelete || note.status === "removed") return null;
  if (!sameHash(note.secretHash, hashSecret(secret2))) return null;
  return note;
}
function handleNoteEdit(core, socket, payload) {
  const parsed = parseOr(noteEditSchema, payload);
  if (!parsed.ok) return parsed;
  const { meetingId } = socket.data;
  const state = core.deps.hub.state(meetingId);
  if (!state || state.status !== "running")
    return fail(ERROR_CODES.WRONG_STATUS, "notes change while the meeting runs");
  const note = ownNote(core, meetingId, parsed.value.noteId, parsed.value.secret);
  if (!note) return NO_SUCH_NOTE();
  const text = parsed.value.text;
  if (note.status === "waiting") {
    core.deps.storage.putNote({ ...note, text });
  } else {
    core.deps.storage.putNote({ ...note, pendingText: text === note.text ? null : text });
  }
  core.release(meetingId, note.caseIndex, "change");
  core.deps.hub.touch(meetingId);
  core.notifyLeaders(meetingId);
  return ok(void 0);
}
function handleNoteDelete(core, socket, payload) {
  const parsed = parseOr(noteDeleteSchema, payload);
  if (!parsed.ok) return parsed;
  const { meetingId } = socket.data;
  if (!core.deps.hub.state(meetingId)) return fail(ERROR_CODES.NOT_FOUND, "no such meeting");
  const note = ownNote(core, meetingId, parsed.value.noteId, parsed.value.secret);
  if (!note) return NO_SUCH_NOTE();
  if (note.status === "waiting") {
    core.deps.storage.deleteNote(meetingId, note.noteId);
  } else {
    core.deps.storage.putNote({ ...note, pendingDelete: true, pendingText: null });
  }
  core.release(meetingId, note.caseIndex, "change");
  core.deps.hub.touch(meetingId);
  core.notifyLeaders(meetingId);
  return ok(void 0);
}

// server/board/handlers/noteMine.ts
function handleNoteMine(core, socket, payload) {
  const parsed = parseOr(noteMineSchema, payload);
  if (!parsed.ok) return parsed;
  const out = {};
  for (const { noteId: noteId2, secret: secret2 } of parsed.value.notes) {
    const note = core.deps.storage.getNote(socket.data.meetingId, noteId2);
    out[noteId2] = note && sameHash(note.secretHash, hashSecret(secret2)) ? authorStatus(note) : "deleted";
  }
  return ok(out);
}

// server/board/handlers/noteModerate.ts
function handleNoteModerate(core, socket, payload) {
  const parsed = parseOr(noteModerateSchema, payload);
  if (!parsed.ok) return parsed;
  const { meetingId, seatId } = socket.data;
  const { storage: storage2 } = core.deps;
  const state = core.deps.hub.state(meetingId);
  if (!state || !isLeaderSeat(state, seatId)) return fail(ERROR_CODES.FORBIDDEN, "leaders only");
  const note = storage2.getNote(meetingId, parsed.value.noteId);
  if (!note || note.status === "waiting" || note.status === "removed") return NO_SUCH_NOTE();
  const action = parsed.value.action;
  switch (action) {
    case "approve":
    case "show": {
      const from = action === "approve" ? "screening" : "hidden";
      if (note.status !== from) return fail(ERROR_CODES.WRONG_STATUS, `only a ${from} note can be ${action}d`);
      const batch = note.batch ?? core.nextBatch(meetingId, note.caseIndex);
      core.commit(
        meetingId,
        note.caseIndex,
        (doc) => insertNote(doc, core.newBoardNote(note, note.text, batch)),
        () => storage2.putNote({ ...note, status: "released", batch, layout: null })
      );
      break;
    }
    case "hide": {
      if (note.status === "hidden") return fail(ERROR_CODES.WRONG_STATUS, "already hidden");
      let layout = note.layout ?? null;
      core.commit(
        meetingId,
        note.caseIndex,
        (doc) => {
          if (note.status === "released") layout = removeNote(doc, note.noteId);
        },
        () => storage2.putNote({ ...note, status: "hidden", layout })
      );
      break;
    }
    case "remove": {
      core.commit(
        meetingId,
        note.caseIndex,
        (doc) => {
          if (note.status === "released") removeNote(doc, note.noteId);
        },
        () => storage2.putNote(removedRow(note))
      );
      break;
    }
  }
  core.deps.logger.info("board.moderated", { meetingId, action });
  core.deps.hub.touch(meetingId);
  core.notifyLeaders(meetingId);
  return ok(void 0);
}
function handleBoardRelease(core, socket, payload) {
  const parsed = parseOr(boardReleaseSchema, payload);
  if (!parsed.ok) return parsed;
  const { meetingId, seatId } = socket.data;
  const state = core.deps.hub.state(meetingId);
  if (!state || !isLeaderSeat(state, seatId)) return fail(ERROR_CODES.FORBIDDEN, "leaders only");
  core.release(meetingId, currentCaseIndex(state), "leader");
  core.deps.hub.touch(meetingId);
  core.notifyLeaders(meetingId);
  return ok(void 0);
}
function removedRow(note) {
  return {
    ...note,
    text: "",
    status: "removed",
    pendingText: null,
    pendingDelete: false,
    authorName: null,
    layout: null
  };
}

// server/board/handlers/noteResonate.ts
function handleNoteResonate(core, socket, payload) {
  const parsed = parseOr(noteResonateSchema, payload);
  if (!parsed.ok) return parsed;
  const { meetingId, seatId } = socket.data;
  const state = core.deps.hub.state(meetingId);
  const seat = state ? findSeat(state, seatId) : void 0;
  if (!state || !seat || !seat.admitted || effectiveRole(state, seat) !== "presenter") {
    return fail(ERROR_CODES.FORBIDDEN, "the presenter marks resonance");
  }
  const phase = state.current ? state.phases[state.current.index] : void 0;
  if (state.status !== "running" || phase?.kind !== "return") {
    return fail(ERROR_CODES.WRONG_STATUS, "resonance is marked in the return phase");
  }
  const note = core.deps.storage.getNote(meetingId, parsed.value.noteId);
  if (!note || note.status !== "released" || note.caseIndex !== currentCaseIndex(state))
    return NO_SUCH_NOTE();
  core.commit(
    meetingId,
    note.caseIndex,
    (doc) => setNoteResonance(doc, note.noteId, parsed.value.on ? 1 : 0)
  );
  core.deps.hub.touch(meetingId);
  return ok(void 0);
}

// server/board/noteShares.ts
var NoteShares = class {
  counts = /* @__PURE__ */ new Map();
  added(meetingId, caseIndex, seatId) {
    return this.counts.get(meetingId)?.get(`${caseIndex}/${seatId}`) ?? 0;
  }
  count(meetingId, caseIndex, seatId) {
    let meeting = this.counts.get(meetingId);
    if (!meeting) this.counts.set(meetingId, meeting = /* @__PURE__ */ new Map());
    const key = `${caseIndex}/${seatId}`;
    meeting.set(key, (meeting.get(key) ?? 0) + 1);
  }
  /** The meeting ended: keep nothing of it. */
  forget(meetingId) {
    this.counts.delete(meetingId);
  }
};

// server/board/createBoardService.ts
var BOARD_KEEP_ALIVE_MS = 1e4;
var BOARD_MAX_PAYLOAD_BYTES = 1024 * 1024;
function createBoardService(deps) {
  const { hub, logger: logger2 } = deps;
  const core = new BoardCore({ ...deps, newNoteId: deps.newNoteId ?? (() => newId()) });
  const sockets = createBoardSockets(core, {
    publicOrigin: deps.publicOrigin ?? null,
    keepAliveMs: deps.keepAliveMs ?? BOARD_KEEP_ALIVE_MS,
    maxPayloadBytes: deps.maxPayloadBytes ?? BOARD_MAX_PAYLOAD_BYTES,
    leaderLimits: deps.leaderLimits ?? DEFAULT_LEADER_LIMITS,
    limits: deps.limits,
    clientAddress: deps.clientAddress
  });
  const shares = new NoteShares();
  hub.onEffects((meetingId, effects) => {
    if (effects.length === 0) return;
    try {
      if (effects.some((e) => e.type === "phase-left")) core.releaseAll(meetingId, "phase-end");
      if (effects.some((e) => e.type === "board-rules-changed")) core.releaseAll(meetingId, "change");
      sockets.review(meetingId);
      core.notifyLeaders(meetingId);
    } catch (error) {
      logger2.error("board.effects_failed", {
        meetingId,
        error: error instanceof Error ? error.name : "unknown"
      });
    }
  });
  hub.onPurge((meetingId) => {
    shares.forget(meetingId);
    core.purge(meetingId, BOARD_CLOSE.MEETING_ENDED, "meeting ended");
  });
  function attachSocket(socket, guard) {
    core.addSocket(socket);
    socket.on("disconnect", () => core.removeSocket(socket));
    const on = (event, handler) => {
      guard.on(event, {
        args: 1,
        handle: (payload) => answerSafely(logger2, event, () => handler(core, socket, payload))
      });
    };
    on("note:add", (c, s, payload) => handleNoteAdd(c, s, payload, shares));
    on("note:edit", handleNoteEdit);
    on("note:delete", handleNoteDelete);
    on("note:mine", handleNoteMine);
    on("note:moderate", handleNoteModerate);
    on("note:resonate", handleNoteResonate);
    on("board:release", handleBoardRelease);
    on("board:export", handleBoardExport);
    core.notifySocket(socket);
  }
  return {
    handleUpgrade: sockets.handleUpgrade,
    attachSocket,
    leaderView: (meetingId, seatId) => core.leaderView(meetingId, seatId),
    resumeReleases: () => core.resumeReleases(),
    async close() {
      const closed = sockets.close();
      core.close(BOARD_CLOSE.GOING_AWAY, "server shutting down");
      await closed;
    },
    writerClientId: (meetingId, caseIndex) => core.room(meetingId, caseIndex).doc.clientID,
    encodeBoard: (meetingId, caseIndex) => Y6.encodeStateAsUpdate(core.room(meetingId, caseIndex).doc)
  };
}

// server/config.ts
import { isIP } from "node:net";
import path2 from "node:path";
import { z as z6 } from "zod";
var MAX_PORT = 65535;
var HOSTNAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i;
var portSchema = z6.string().regex(/^\d{1,5}$/, `PORT must be decimal digits from 0 to ${MAX_PORT}`).transform(Number).refine((n) => n <= MAX_PORT, `PORT must be decimal digits from 0 to ${MAX_PORT}`);
var hostSchema = z6.string().refine(
  (h) => isIP(h) !== 0 || HOSTNAME.test(h),
  "HOST must be an IP address (e.g. 127.0.0.1, 0.0.0.0, ::) or a host name, without scheme or port"
);
var publicOriginSchema = z6.string().refine((u) => URL.canParse(u) && ["http:", "https:"].includes(new URL(u).protocol), {
  message: "PUBLIC_ORIGIN must be an http:// or https:// URL, e.g. https://balint.example.org"
}).refine((u) => !URL.canParse(u) || new URL(u).username === "" && new URL(u).password === "", {
  message: "PUBLIC_ORIGIN must not contain a user name or password"
}).transform((u) => new URL(u).origin);
var dataDirSchema = z6.string().refine((d) => d.trim() !== "" && !d.includes("\0"), "DATA_DIR must be a folder path");
var envSchema = z6.object({
  PORT: portSchema.default(8080),
  HOST: hostSchema.default("127.0.0.1"),
  /** The origin browsers use, e.g. https://balint.example.org behind a reverse proxy. */
  PUBLIC_ORIGIN: publicOriginSchema.optional(),
  DATA_DIR: dataDirSchema.default("data"),
  LOG_LEVEL: z6.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
  /** When set, creating a meeting needs this key (header `x-create-key`). */
  CREATE_KEY: z6.string().min(12, "CREATE_KEY must be at least 12 characters").optional(),
  /** NORMAL survives a killed process; FULL survives power loss too. */
  SQLITE_SYNCHRONOUS: z6.enum(["NORMAL", "FULL"]).default("NORMAL"),
  INACTIVITY_HOURS: z6.coerce.number().positive().max(24 * 30).default(24),
  /** 0, the number of reverse proxies in front (1-5), or their addresses/CIDR ranges. */
  TRUST_PROXY: z6.string().default("0").transform((raw, ctx) => {
    const parsed = parseTrustProxy(raw);
    if (parsed.ok) return parsed.value;
    ctx.addIssue({ code: "custom", message: parsed.message });
    return z6.NEVER;
  }),
  /** Who may scrape /metrics: comma-separated addresses and CIDR ranges, judged on the client address. */
  METRICS_ALLOW: z6.string().transform((text, ctx) => {
    const parsed = parseAllowList(text);
    if (parsed.ok) return parsed.list;
    ctx.addIssue({ code: "custom", message: `not an address or CIDR range: ${parsed.bad}` });
    return z6.NEVER;
  }).optional()
});
function loadConfig(env) {
  const parsed = envSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== "")));
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (i) => i.message.startsWith(String(i.path[0])) ? i.message : `${i.path.join(".")}: ${i.message}`
    );
    return { ok: false, message: `Bad configuration: ${problems.join("; ")}` };
  }
  const e = parsed.data;
  return {
    ok: true,
    config: {
      port: e.PORT,
      host: e.HOST,
      publicOrigin: e.PUBLIC_ORIGIN ?? null,
      dataDir: path2.resolve(e.DATA_DIR),
      logLevel: e.LOG_LEVEL,
      createKey: e.CREATE_KEY ?? null,
      sqliteSynchronous: e.SQLITE_SYNCHRONOUS,
      inactivityLimitMs: e.INACTIVITY_HOURS * 36e5,
      trustProxy: e.TRUST_PROXY,
      metricsAllow: e.METRICS_ALLOW ?? DEFAULT_METRICS_ALLOW
    }
  };
}

// server/core/clock.ts
var MAX_DELAY_MS = 2 ** 31 - 1;
var systemClock = {
  now: () => Date.now(),
  setTimer(at, fn) {
    let handle;
    const arm = () => {
      const delay = at - Date.now();
      handle = setTimeout(() => Date.now() < at ? arm() : fn(), Math.max(0, Math.min(delay, MAX_DELAY_MS)));
      handle.unref();
    };
    arm();
    return { cancel: () => clearTimeout(handle) };
  }
};

// server/core/logger.ts
var ORDER = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };
function createLogger(level, write = (l) => process.stdout.write(l)) {
  const log = (lvl) => (event, fields = {}) => {
    if (ORDER[lvl] < ORDER[level]) return;
    write(JSON.stringify({ t: (/* @__PURE__ */ new Date()).toISOString(), level: lvl, event, ...fields }) + "\n");
  };
  return { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") };
}
var silentLogger = createLogger("silent");

// server/startupErrors.ts
import { accessSync, constants, mkdirSync, statSync } from "node:fs";
import path3 from "node:path";
var STARTUP_EXIT_CODE = 2;
var StartupError = class extends Error {
  name = "StartupError";
};
function codeOf(error) {
  const code = error?.code;
  return typeof code === "string" ? code : void 0;
}
function describeListenError(error, port2, host) {
  switch (codeOf(error)) {
    case "EADDRINUSE":
      return `PORT ${port2} is already in use on HOST ${host} (another server running?): stop it or choose another PORT`;
    case "EACCES":
      return `PORT ${port2} needs privileges this user lacks: choose a PORT above 1023 (and let a reverse proxy serve 80/443)`;
    case "EADDRNOTAVAIL":
      return `HOST ${host} is not an address of this machine: use one of its addresses, 127.0.0.1 or 0.0.0.0`;
    case "ENOTFOUND":
    case "EAI_NONAME":
    case "EAI_AGAIN":
    case "EAI_FAIL":
      return `HOST ${host} does not resolve to an address: check the name, or use an IP address such as 127.0.0.1 or 0.0.0.0`;
    case "EAFNOSUPPORT":
      return `HOST ${host} is of an address family this machine does not offer (IPv6 off?): use 127.0.0.1 or 0.0.0.0`;
    default:
      return null;
  }
}
var NOT_WRITABLE = /* @__PURE__ */ new Set(["EACCES", "EPERM", "EROFS"]);
function notWritable(dir) {
  return new StartupError(
    `DATA_DIR ${dir} is not writable by this user: give the server's user write access to it, or choose another DATA_DIR`
  );
}
function prepareDataDir(dir, databaseFile2) {
  try {
    mkdirSync(dir, { recursive: true, mode: 448 });
  } catch (error) {
    const code = codeOf(error);
    if (code === "EEXIST" || code === "ENOTDIR") {
      const isFile = code === "EEXIST" || statSafe(dir)?.isFile() === true;
      throw new StartupError(
        isFile ? `DATA_DIR ${dir} is a file, not a folder: remove it or choose another DATA_DIR` : `DATA_DIR ${dir} lies under a file, not a folder: choose another DATA_DIR`
      );
    }
    if (code && NOT_WRITABLE.has(code)) throw notWritable(dir);
    throw error;
  }
  for (const [target, mode] of [
    [dir, constants.W_OK | constants.X_OK],
    [databaseFile2, constants.R_OK | constants.W_OK]
  ]) {
    try {
      accessSync(target, mode);
    } catch (error) {
      const code = codeOf(error);
      if (code === "ENOENT" && target === databaseFile2) continue;
      if (code && NOT_WRITABLE.has(code)) {
        if (target === dir) throw notWritable(dir);
        throw new StartupError(
          `DATA_DIR ${dir}: ${path3.basename(databaseFile2)} is not readable and writable by this user: give the server's user access to it`
        );
      }
      throw error;
    }
  }
}
function statSafe(target) {
  try {
    return statSync(target);
  } catch {
    return null;
  }
}
function describeStorageError(error, dir) {
  const code = codeOf(error) ?? "";
  if (NOT_WRITABLE.has(code) || code.startsWith("SQLITE_READONLY") || code === "SQLITE_CANTOPEN") {
    return notWritable(dir).message;
  }
  if (code === "SQLITE_FULL" || code === "ENOSPC") {
    return `DATA_DIR ${dir} is on a full disk: free some space or choose another DATA_DIR`;
  }
  if (code === "SQLITE_NOTADB" || code === "SQLITE_CORRUPT") {
    return `DATA_DIR ${dir}: the database file is damaged or not a Balint Room database: restore it from a backup or choose another DATA_DIR`;
  }
  return null;
}
function refuseToStart(line) {
  process.stderr.write(`Balint Room cannot start: ${line}
`);
  process.exit(STARTUP_EXIT_CODE);
}
async function startupStep(step, describe = () => null) {
  try {
    return await step();
  } catch (error) {
    if (error instanceof StartupError) refuseToStart(error.message);
    const line = describe(error);
    if (line !== null) refuseToStart(line);
    throw error;
  }
}

// server/storage/crashPoints.ts
var CRASH_POINTS = ["purge-before-commit", "purge-before-checkpoint"];
var CRASH_ENV = "BALINT_TEST_CRASH_AT";
function crashPointFromEnv(env) {
  const raw = env[CRASH_ENV];
  if (raw === void 0 || raw === "") return { ok: true, point: null };
  if (env.NODE_ENV !== "test")
    return {
      ok: false,
      message: `${CRASH_ENV} is a test hook: unset it (it is only read when NODE_ENV=test)`
    };
  const point = CRASH_POINTS.find((p) => p === raw);
  if (!point) return { ok: false, message: `${CRASH_ENV} must be one of ${CRASH_POINTS.join(", ")}` };
  return { ok: true, point };
}
function crashIfAt(configured, here2) {
  if (configured === here2) process.kill(process.pid, "SIGKILL");
}

// server/storage/dataDir.ts
import { chmodSync, closeSync, existsSync as existsSync2, mkdirSync as mkdirSync2, openSync, statSync as statSync2 } from "node:fs";
import path4 from "node:path";
import Database from "better-sqlite3";
var PRIVATE_FILE_MODE = 384;
var PRIVATE_DIR_MODE = 448;
var LOCK_FILE_NAME = "balint-room.lock";
function ensurePrivateFile(file) {
  if (!existsSync2(file)) {
    try {
      closeSync(openSync(file, "wx", PRIVATE_FILE_MODE));
    } catch (error) {
      if (error.code !== "EEXIST") throw error;
    }
  }
  if ((statSync2(file).mode & 511) !== PRIVATE_FILE_MODE) chmodSync(file, PRIVATE_FILE_MODE);
}
function prepareDataDir2(dir) {
  process.umask(63);
  mkdirSync2(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  return { openToOthers: (statSync2(dir).mode & 63) !== 0 };
}
var heldLocks = /* @__PURE__ */ new Set();
function lockDataDir(dir) {
  const file = path4.join(dir, LOCK_FILE_NAME);
  ensurePrivateFile(file);
  const db = new Database(file);
  try {
    db.pragma("busy_timeout = 0");
    db.exec("BEGIN EXCLUSIVE");
  } catch (error) {
    db.close();
    if (error instanceof Error && /busy|locked/i.test(error.message))
      return {
        ok: false,
        message: `DATA_DIR ${dir} is in use by another Balint Room server: stop it, or give this one another DATA_DIR`
      };
    throw error;
  }
  heldLocks.add(db);
  return {
    ok: true,
    release: () => {
      heldLocks.delete(db);
      db.exec("ROLLBACK");
      db.close();
    }
  };
}

// server/storage/sqlite.ts
import Database2 from "better-sqlite3";

// server/storage/migrations.ts
var STEPS = [
  `CREATE TABLE meetings (
     id TEXT PRIMARY KEY,
     join_code TEXT NOT NULL,
     state TEXT NOT NULL,
     status TEXT NOT NULL DEFAULT 'lobby',
     leader_token_hash TEXT NOT NULL,
     projector_key_hash TEXT NOT NULL,
     last_activity_at INTEGER NOT NULL
   );
   CREATE INDEX meetings_join_code ON meetings (join_code);
   CREATE TABLE commands (
     meeting_id TEXT NOT NULL,
     command_id TEXT NOT NULL,
     PRIMARY KEY (meeting_id, command_id)
   ) WITHOUT ROWID;
   CREATE TABLE seat_tokens (
     token_hash TEXT PRIMARY KEY,
     meeting_id TEXT NOT NULL,
     seat_id TEXT NOT NULL
   ) WITHOUT ROWID;
   CREATE INDEX seat_tokens_meeting ON seat_tokens (meeting_id, seat_id);
   -- No rowid and a random key: the table keeps no order that follows arrival.
   CREATE TABLE notes (
     meeting_id TEXT NOT NULL,
     note_id TEXT NOT NULL,
     case_index INTEGER NOT NULL,
     kind TEXT NOT NULL,
     text TEXT NOT NULL,
     secret_hash TEXT NOT NULL,
     status TEXT NOT NULL,
     pending_text TEXT,
     pending_delete INTEGER NOT NULL DEFAULT 0,
     batch INTEGER,
     author_name TEXT,
     PRIMARY KEY (meeting_id, note_id)
   ) WITHOUT ROWID;
   CREATE UNIQUE INDEX notes_secret ON notes (meeting_id, secret_hash);
   CREATE TABLE board_updates (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     meeting_id TEXT NOT NULL,
     case_index INTEGER NOT NULL,
     update_data BLOB NOT NULL
   );
   CREATE INDEX board_updates_room ON board_updates (meeting_id, case_index, seq);`,
  // A case's note count and last batch, and its notes that are not simply on the board, without
  // reading the whole meeting's notes. The indexes follow the random note id within a case, as
  // the table does: still no order that follows arrival.
  `CREATE INDEX notes_case ON notes (meeting_id, case_index, batch);
   CREATE INDEX notes_unsettled ON notes (meeting_id, case_index)
     WHERE status <> 'released' OR pending_text IS NOT NULL OR pending_delete <> 0;`,
  // WIRE-1: a command id is the seat's own. Ids stored before name no seat, and a retry that a
  // seat could not prove to be its own must not be acked: they are dropped (they only matter for
  // a retry in flight across the upgrade, which is then applied once more).
  `DROP TABLE commands;
   CREATE TABLE commands (
     meeting_id TEXT NOT NULL,
     seat_id TEXT NOT NULL,
     command_id TEXT NOT NULL,
     PRIMARY KEY (meeting_id, seat_id, command_id)
   ) WITHOUT ROWID;`,
  // Leaders' layout of a note while it is off the board (JSON), as durable as the note itself.
  `ALTER TABLE notes ADD COLUMN layout TEXT;`
];
function migrate(db) {
  const current = db.pragma("user_version", { simple: true });
  for (let v = current; v < STEPS.length; v++) {
    db.transaction(() => {
      db.exec(STEPS[v]);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}

// server/storage/walScrub.ts
var SCRUB_RETRY_MS = 250;
var BLOCKED_LOG_EVERY_MS = 3e4;
var SCRUB_BATCH_MS = 5e3;
var WalScrubber = class {
  constructor(db, logger2) {
    this.db = db;
    this.logger = logger2;
  }
  db;
  logger;
  waiting = [];
  requested = false;
  timer = null;
  timerAt = Infinity;
  lastRunAt = -Infinity;
  blockedSince = null;
  lastBlockedLogAt = -Infinity;
  closed = false;
  /** Truncate as soon as possible (the end of a meeting, start-up); `done` runs once it happened. */
  now(done) {
    this.requested = true;
    if (done) this.waiting.push(done);
    this.attempt();
  }
  /** Deleted text during a meeting: truncate within SCRUB_BATCH_MS, once for all that wait. */
  soon() {
    this.requested = true;
    this.schedule(Math.max(0, this.lastRunAt + SCRUB_BATCH_MS - Date.now()));
  }
  /** Whether a truncation is still owed (a reader blocks it, or the batch period runs). */
  get pending() {
    return this.requested;
  }
  close() {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
  schedule(delayMs) {
    if (this.closed) return;
    const at = Date.now() + delayMs;
    if (this.timer && this.timerAt <= at) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timerAt = Infinity;
      this.attempt();
    }, delayMs);
    this.timer.unref();
  }
  attempt() {
    if (this.closed || !this.requested) return;
    const started = Date.now();
    this.lastRunAt = started;
    let busy = true;
    try {
      const [result] = this.db.pragma("wal_checkpoint(TRUNCATE)");
      busy = !!result?.busy;
    } catch (error) {
      if (!(error instanceof Error && /busy|locked/i.test(error.message))) throw error;
    }
    if (busy) {
      this.blockedSince ??= started;
      if (started - this.lastBlockedLogAt >= BLOCKED_LOG_EVERY_MS) {
        this.lastBlockedLogAt = started;
        this.logger.warn("storage.checkpoint_blocked", { blockedMs: started - this.blockedSince });
      }
      this.schedule(SCRUB_RETRY_MS);
      return;
    }
    if (this.blockedSince !== null)
      this.logger.info("storage.checkpoint_unblocked", { blockedMs: started - this.blockedSince });
    this.blockedSince = null;
    this.lastBlockedLogAt = -Infinity;
    this.requested = false;
    this.logger.debug("storage.wal_truncated", { ms: Date.now() - started });
    const waiting = this.waiting;
    this.waiting = [];
    for (const done of waiting) done();
  }
};

// server/storage/sqlite.ts
var BUSY_TIMEOUT_MS = 3;
function toNote(r) {
  return {
    meetingId: r.meeting_id,
    noteId: r.note_id,
    caseIndex: r.case_index,
    kind: r.kind,
    text: r.text,
    secretHash: r.secret_hash,
    status: r.status,
    pendingText: r.pending_text,
    pendingDelete: r.pending_delete === 1,
    batch: r.batch,
    authorName: r.author_name,
    layout: r.layout === null ? null : JSON.parse(r.layout)
  };
}
function openSqliteStorage(opts) {
  if (opts.file !== ":memory:") ensurePrivateFile(opts.file);
  const db = new Database2(opts.file);
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  db.pragma("journal_mode = WAL");
  db.pragma(`synchronous = ${opts.synchronous}`);
  db.pragma("secure_delete = ON");
  db.pragma("temp_store = MEMORY");
  db.pragma("foreign_keys = ON");
  migrate(db);
  const scrubber = new WalScrubber(db, opts.logger ?? silentLogger);
  scrubber.now();
  const q = {
    insertMeeting: db.prepare(
      `INSERT INTO meetings (id, join_code, state, leader_token_hash, projector_key_hash, last_activity_at)
       VALUES (?, ?, ?, ?, ?, ?)`
    ),
    saveMeeting: db.prepare("UPDATE meetings SET state = ?, status = ?, last_activity_at = ? WHERE id = ?"),
    setJoinCode: db.prepare("UPDATE meetings SET join_code = ? WHERE id = ?"),
    touch: db.prepare("UPDATE meetings SET last_activity_at = ? WHERE id = ?"),
    live: db.prepare("SELECT state, join_code, last_activity_at FROM meetings WHERE status != 'ended'"),
    byJoinCode: db.prepare("SELECT id FROM meetings WHERE join_code = ? AND status != 'ended'"),
    projectorKey: db.prepare("SELECT projector_key_hash FROM meetings WHERE id = ?"),
    hasCommand: db.prepare("SELECT 1 FROM commands WHERE meeting_id = ? AND seat_id = ? AND command_id = ?"),
    recordCommand: db.prepare(
      "INSERT OR IGNORE INTO commands (meeting_id, seat_id, command_id) VALUES (?, ?, ?)"
    ),
    insertSeat: db.prepare("INSERT INTO seat_tokens (token_hash, meeting_id, seat_id) VALUES (?, ?, ?)"),
    findSeat: db.prepare("SELECT meeting_id, seat_id FROM seat_tokens WHERE token_hash = ?"),
    deleteSeat: db.prepare("DELETE FROM seat_tokens WHERE meeting_id = ? AND seat_id = ?"),
    putNote: db.prepare(
      `INSERT OR REPLACE INTO notes (meeting_id, note_id, case_index, kind, text, secret_hash, status,
         pending_text, pending_delete, batch, author_name, layout)
       VALUES (@meetingId, @noteId, @caseIndex, @kind, @text, @secretHash, @status,
         @pendingText, @pendingDelete, @batch, @authorName, @layout)`
    ),
    getNote: db.prepare("SELECT * FROM notes WHERE meeting_id = ? AND note_id = ?"),
    noteBySecret: db.prepare("SELECT * FROM notes WHERE meeting_id = ? AND secret_hash = ?"),
    deleteNote: db.prepare("DELETE FROM notes WHERE meeting_id = ? AND note_id = ?"),
    listNotes: db.prepare("SELECT * FROM notes WHERE meeting_id = ? ORDER BY note_id"),
    countNotes: db.prepare("SELECT COUNT(*) FROM notes WHERE meeting_id = ? AND case_index = ?").pluck(),
    maxNoteBatch: db.prepare("SELECT MAX(batch) FROM notes WHERE meeting_id = ? AND case_index = ?").pluck(),
    // The condition is the partial index's own (notes_unsettled). Without statistics the planner
    // would scan all the meeting's notes by primary key instead (about 5x slower at 320 notes).
    listUnsettledNotes: db.prepare(
      `SELECT * FROM notes INDEXED BY notes_unsettled WHERE meeting_id = ? AND case_index = ?
         AND (status <> 'released' OR pending_text IS NOT NULL OR pending_delete <> 0)
       ORDER BY note_id`
    ),
    appendUpdate: db.prepare(
      "INSERT INTO board_updates (meeting_id, case_index, update_data) VALUES (?, ?, ?)"
    ),
    loadUpdates: db.prepare(
      "SELECT update_data FROM board_updates WHERE meeting_id = ? AND case_index = ? ORDER BY seq"
    ),
    clearUpdates: db.prepare("DELETE FROM board_updates WHERE meeting_id = ? AND case_index = ?")
  };
  const purgeStatements = [
    db.prepare("DELETE FROM board_updates WHERE meeting_id = ?"),
    db.prepare("DELETE FROM notes WHERE meeting_id = ?"),
    db.prepare("DELETE FROM seat_tokens WHERE meeting_id = ?"),
    db.prepare("DELETE FROM commands WHERE meeting_id = ?"),
    db.prepare("DELETE FROM meetings WHERE id = ?")
  ];
  const leftoverStatements = {
    ended: db.prepare("SELECT id FROM meetings WHERE status = 'ended'"),
    orphans: db.prepare(
      `SELECT meeting_id AS id FROM board_updates UNION SELECT meeting_id FROM notes
       UNION SELECT meeting_id FROM seat_tokens UNION SELECT meeting_id FROM commands
       EXCEPT SELECT id FROM meetings`
    )
  };
  function purge(meetingIds, whenScrubbed) {
    if (meetingIds.length === 0) return;
    db.transaction(() => {
      for (const id2 of meetingIds) for (const stmt of purgeStatements) stmt.run(id2);
      crashIfAt(opts.crashAt, "purge-before-commit");
    })();
    crashIfAt(opts.crashAt, "purge-before-checkpoint");
    scrubber.now(whenScrubbed);
  }
  return {
    transaction: (fn) => db.transaction(fn)(),
    insertMeeting(m, leaderTokenHash, projectorKeyHash) {
      q.insertMeeting.run(
        m.state.id,
        m.joinCode,
        JSON.stringify(m.state),
        leaderTokenHash,
        projectorKeyHash,
        m.lastActivityAt
      );
    },
    saveMeeting(state, now) {
      q.saveMeeting.run(JSON.stringify(state), state.status, now, state.id);
    },
    setJoinCode(meetingId, joinCode) {
      q.setJoinCode.run(joinCode, meetingId);
      scrubber.soon();
    },
    touchMeeting(meetingId, now) {
      q.touch.run(now, meetingId);
    },
    loadLiveMeetings() {
      const rows = q.live.all();
      return rows.map((r) => ({
        state: JSON.parse(r.state),
        joinCode: r.join_code,
        lastActivityAt: r.last_activity_at
      }));
    },
    findMeetingByJoinCode(joinCode) {
      const row = q.byJoinCode.get(joinCode);
      return row?.id ?? null;
    },
    projectorKeyHash(meetingId) {
      const row = q.projectorKey.get(meetingId);
      return row?.projector_key_hash ?? null;
    },
    hasCommand(meetingId, seatId, commandId) {
      return q.hasCommand.get(meetingId, seatId, commandId) !== void 0;
    },
    recordCommand(meetingId, seatId, commandId) {
      q.recordCommand.run(meetingId, seatId, commandId);
    },
    insertSeatToken(meetingId, seatId, tokenHash) {
      q.insertSeat.run(tokenHash, meetingId, seatId);
    },
    findSeatByTokenHash(tokenHash) {
      const row = q.findSeat.get(tokenHash);
      return row ? { meetingId: row.meeting_id, seatId: row.seat_id } : null;
    },
    deleteSeatTokens(meetingId, seatId) {
      q.deleteSeat.run(meetingId, seatId);
      scrubber.soon();
    },
    putNote(note) {
      q.putNote.run({
        ...note,
        pendingDelete: note.pendingDelete ? 1 : 0,
        layout: note.layout ? JSON.stringify(note.layout) : null
      });
      scrubber.soon();
    },
    getNote(meetingId, noteId2) {
      const row = q.getNote.get(meetingId, noteId2);
      return row ? toNote(row) : null;
    },
    findNoteBySecretHash(meetingId, secretHash) {
      const row = q.noteBySecret.get(meetingId, secretHash);
      return row ? toNote(row) : null;
    },
    deleteNote(meetingId, noteId2) {
      q.deleteNote.run(meetingId, noteId2);
      scrubber.soon();
    },
    listNotes(meetingId) {
      return q.listNotes.all(meetingId).map(toNote);
    },
    countNotes(meetingId, caseIndex) {
      return q.countNotes.get(meetingId, caseIndex);
    },
    maxNoteBatch(meetingId, caseIndex) {
      return q.maxNoteBatch.get(meetingId, caseIndex) ?? null;
    },
    listUnsettledNotes(meetingId, caseIndex) {
      return q.listUnsettledNotes.all(meetingId, caseIndex).map(toNote);
    },
    appendBoardUpdate(meetingId, caseIndex, update) {
      q.appendUpdate.run(meetingId, caseIndex, Buffer.from(update));
    },
    loadBoardUpdates(meetingId, caseIndex) {
      const rows = q.loadUpdates.all(meetingId, caseIndex);
      return rows.map((r) => new Uint8Array(r.update_data));
    },
    replaceBoardUpdates(meetingId, caseIndex, merged) {
      db.transaction(() => {
        q.clearUpdates.run(meetingId, caseIndex);
        q.appendUpdate.run(meetingId, caseIndex, Buffer.from(merged));
      })();
      scrubber.soon();
    },
    purgeMeeting(meetingId, whenScrubbed) {
      purge([meetingId], whenScrubbed);
    },
    purgeLeftovers() {
      const ids = /* @__PURE__ */ new Set();
      for (const stmt of [leftoverStatements.ended, leftoverStatements.orphans])
        for (const row of stmt.all()) ids.add(row.id);
      purge([...ids]);
      return ids.size;
    },
    close() {
      scrubber.close();
      db.pragma("wal_checkpoint(TRUNCATE)");
      db.close();
    }
  };
}

// server/main.ts
var loaded = loadConfig(process.env);
if (!loaded.ok) refuseToStart(loaded.message);
var config = loaded.config;
var logger = createLogger(config.logLevel);
var databaseFile = path5.join(config.dataDir, "balint-room.sqlite");
var crashAt = crashPointFromEnv(process.env);
if (!crashAt.ok) refuseToStart(crashAt.message);
var storage = await startupStep(
  () => {
    prepareDataDir(config.dataDir, databaseFile);
    if (prepareDataDir2(config.dataDir).openToOthers)
      logger.warn("storage.data_dir_open", { hint: "chmod 700 the data folder: others can list it" });
    const lock = lockDataDir(config.dataDir);
    if (!lock.ok) refuseToStart(lock.message);
    return openSqliteStorage({
      file: databaseFile,
      synchronous: config.sqliteSynchronous,
      logger,
      crashAt: crashAt.point
    });
  },
  (error) => describeStorageError(error, config.dataDir)
);
var here = path5.dirname(fileURLToPath(import.meta.url));
var root = path5.join(
  here,
  true ? "../.." : ".."
);
var phoneAddresses2 = refreshedEvery(
  ADDRESSES_REFRESH_MS,
  () => phoneAddressesFor(config.host, networkInterfaces())
);
var startedAt = performance.now();
var app = createApp({
  storage,
  clock: systemClock,
  random: cryptoRandom,
  logger,
  publicOrigin: config.publicOrigin,
  createKey: config.createKey,
  inactivityLimitMs: config.inactivityLimitMs,
  trustProxy: config.trustProxy,
  clientDir: path5.join(root, "client", "dist"),
  createBoard: (ctx) => createBoardService(ctx),
  metricsAllow: config.metricsAllow,
  phoneAddresses: phoneAddresses2
});
var port = await startupStep(
  () => app.listen(config.port, config.host),
  (error) => describeListenError(error, config.port, config.host)
);
var shownHost = config.host === "0.0.0.0" || config.host === "::" ? "localhost" : config.host;
logger.info("server.listening", {
  port,
  host: config.host,
  meetings: app.hub.meetingIds().length,
  startMs: Math.round(performance.now() - startedAt)
});
var phoneOrigins = config.publicOrigin ? [] : phoneAddresses2().map((a) => originOf(a, port));
process.stdout.write(startBanner(config.publicOrigin ?? `http://${shownHost}:${port}`, phoneOrigins));
var stopping = false;
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info("server.draining", { signal });
    app.close().then(
      () => process.exit(0),
      () => process.exit(1)
    );
  });
}
//# sourceMappingURL=main.js.map
