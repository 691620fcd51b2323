import express, { type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { ERROR_CODES as E, type Result } from '../../shared/errors';
import { MAX_DOUBLE_SESSIONS } from '../../shared/group/attendance';
import { safeTimeZone } from '../../shared/group/certificate';
import { EVALUATION_ITEMS } from '../../shared/group/evaluation';
import { GROUP_LANGUAGES, GROUP_MODES, MAX_ROSTER } from '../../shared/group/rules';
import type { CreatedGroup } from '../../shared/group/views';
import { parseOr } from '../core/answer';
import type { Clock } from '../core/clock';
import { memoryStores, type StoreFactory } from '../http/rateLimit';
import { customTemplateSchema, sendError } from '../http/routes';
import type { ClientAddress } from '../security/clientAddress';
import { hashSecret, normalizeJoinCode, sameHash } from '../security/tokens';
import { certificateFontAvailable, certificatePdf } from './certificatePdf';
import { addFollowUpRoutes } from './followUpRoutes';
import { GroupKeyMissingError } from './sealing';
import type { GroupService } from './service';
import type { GroupIdentity } from './rows';

export interface GroupRoutesDeps {
  groups: GroupService;
  clock: Clock;
  createKey: string | null;
  publicOrigin: string | null;
  clientAddress: ClientAddress;
  /** The stores of the per-address budgets (shared through Redis with REDIS_URL); memory by default. */
  rateLimits?: StoreFactory;
}

const name = z.string().trim().min(1).max(60);
const settingsSchema = z
  .object({
    name: z.string().trim().min(1).max(120),
    language: z.enum(GROUP_LANGUAGES),
    mode: z.enum(GROUP_MODES),
    anonymity: z.enum(['anonymous', 'named']),
    plan: customTemplateSchema,
  })
  .strict();
const createSchema = z.object({ settings: settingsSchema, leaderName: name }).strict();
const codeSchema = z.object({ code: z.string().max(40) }).strict();
const joinSchema = z.object({ code: z.string().max(40), name }).strict();
const leaderSchema = z.object({ name }).strict();
const deviceSchema = z.object({ label: z.string().trim().min(1).max(40) }).strict();
const managerSchema = z.object({ on: z.boolean() }).strict();
const mergeSchema = z.object({ into: z.string().min(1).max(64) }).strict();
const recoverSchema = z.object({ code: z.string().min(8).max(100) }).strict();
const scheduleSchema = z.object({ at: z.number().int().positive().nullable() }).strict();
const confirmSchema = z
  .object({
    doubleSessions: z.number().int().min(0).max(MAX_DOUBLE_SESSIONS),
    attendance: z
      .array(
        z
          .object({
            memberId: z.string().min(1).max(64),
            attended: z.boolean(),
            place: z.enum(['room', 'remote']).nullable(),
          })
          .strict(),
      )
      .max(MAX_ROSTER),
  })
  .strict();
const accreditationSchema = z.object({ text: z.string().trim().max(300) }).strict();
const epoch = z.coerce.number().int().min(0).max(8.64e15);
const certificateQuery = z
  .object({
    member: z.string().min(1).max(64).optional(),
    from: epoch.optional(),
    to: epoch.optional(),
    place: z.string().trim().max(80).optional(),
    tz: z.string().max(64).optional(),
    lang: z.enum(GROUP_LANGUAGES).optional(),
  })
  .strict();
const evaluationStartSchema = z
  .object({ items: z.array(z.enum(EVALUATION_ITEMS)).min(1).max(EVALUATION_ITEMS.length) })
  .strict();
const evaluationAnswerSchema = z
  .object({ answers: z.partialRecord(z.enum(EVALUATION_ITEMS), z.number().int().min(1).max(5)) })
  .strict();
const debriefSchema = z
  .object({ text: z.string().max(20_000), baseVersion: z.number().int().min(0) })
  .strict();
const startSchema = z
  .object({ plan: customTemplateSchema.optional(), title: z.string().trim().max(120).optional() })
  .strict();

function answer<T>(res: Response, result: Result<T>, status = 200): void {
  if (!result.ok) return sendError(res, result.error.code, result.error.message);
  res.status(status).json(result.value ?? { ok: true });
}

/** `Authorization: Bearer <token>`: group tokens, like seat tokens, never ride in a URL. */
function bearer(req: Request): string | null {
  const header = req.get('authorization') ?? '';
  const match = /^Bearer ([A-Za-z0-9_-]{16,200})$/.exec(header);
  return match?.[1] ?? null;
}

/**
 * The group's REST API (docs/protocol.md, "Groups"; SPEC.md GROUP-n). Groups change a few times a
 * week, not many times a second: plain requests, each checked here for who asks and what they
 * may do, rate-limited per address.
 */
export function createGroupRoutes(deps: GroupRoutesDeps): express.Router {
  const { groups, clock } = deps;
  const router = express.Router();
  const now = () => clock.now();
  const stores = deps.rateLimits ?? memoryStores(now);
  const createLimit = stores({ points: 20, windowMs: 60 * 60_000 }, 'group-create:address');
  // Guessing a member code or a recovery code is as slow as guessing a join code.
  const codeLimit = stores({ points: 30, windowMs: 10 * 60_000 }, 'group-code:address');
  const callLimit = stores({ points: 600, windowMs: 10 * 60_000 }, 'group-call:address');
  const within = async (limit: typeof codeLimit, req: Request, res: Response) => {
    const verdict = await limit.consume(deps.clientAddress(req));
    if (verdict.ok) return true;
    res.setHeader('Retry-After', String(Math.ceil(verdict.retryAfterMs / 1_000)));
    res.status(429).json({
      error: { code: E.RATE_LIMITED, message: 'too many requests', retryAfterMs: verdict.retryAfterMs },
    });
    return false;
  };
  const origin = (req: Request) => deps.publicOrigin ?? `${req.protocol}://${req.get('host')}`;
  const memberLink = (req: Request) => (code: string) => `${origin(req)}/g/join#code=${code}`;
  const leaderLink = (req: Request, groupId: string, token: string) =>
    `${origin(req)}/g/${groupId}/lead#t=${token}`;
  const parse = <T>(schema: z.ZodType<T>, req: Request, res: Response): T | null => {
    const parsed = parseOr(schema, req.body ?? {});
    if (parsed.ok) return parsed.value;
    sendError(res, parsed.error.code, parsed.error.message);
    return null;
  };
  /** The asking person, or an answer of 401 and null. */
  const who = async (req: Request, res: Response): Promise<GroupIdentity | null> => {
    if (!(await within(callLimit, req, res))) return null;
    const found = await groups.identify(String(req.params.id), bearer(req));
    if (!found) sendError(res, E.UNAUTHENTICATED, 'not a link of this group');
    return found;
  };
  const leader = async (req: Request, res: Response) => {
    const found = await who(req, res);
    if (found && found.kind !== 'leader') {
      sendError(res, E.FORBIDDEN, 'for the group’s leaders only');
      return null;
    }
    return found as Extract<GroupIdentity, { kind: 'leader' }> | null;
  };

  router.use('/api/groups', express.json({ limit: '16kb' }));

  router.post('/api/groups', async (req, res) => {
    if (!(await within(createLimit, req, res))) return;
    // GROUP-1: CREATE_KEY applies to groups as it does to meetings.
    if (
      deps.createKey !== null &&
      !sameHash(hashSecret(req.get('x-create-key') ?? ''), hashSecret(deps.createKey))
    )
      return sendError(res, E.FORBIDDEN, 'this server needs a key to create groups');
    const body = parse(createSchema, req, res);
    if (!body) return;
    const created = await groups.create(body.settings, body.leaderName);
    res.status(201).json({
      groupId: created.groupId,
      leaderLink: leaderLink(req, created.groupId, created.token),
      memberLink: memberLink(req)(created.memberCode),
      memberCode: created.memberCode,
      recoveryCode: created.recoveryCode,
    } satisfies CreatedGroup);
  });

  router.post('/api/groups/resolve', async (req, res) => {
    if (!(await within(codeLimit, req, res))) return;
    const body = parse(codeSchema, req, res);
    if (!body) return;
    const code = normalizeJoinCode(body.code);
    const found = code ? await groups.resolveCode(code) : null;
    if (!found) return sendError(res, E.NOT_FOUND, 'no group with this code');
    res.json(found);
  });

  router.post('/api/groups/join', async (req, res) => {
    if (!(await within(codeLimit, req, res))) return;
    const body = parse(joinSchema, req, res);
    if (!body) return;
    const code = normalizeJoinCode(body.code);
    if (!code) return sendError(res, E.NOT_FOUND, 'no group with this code');
    answer(res, await groups.requestToJoin(code, body.name), 201);
  });

  router.post('/api/groups/:id/recover', async (req, res) => {
    if (!(await within(codeLimit, req, res))) return;
    const body = parse(recoverSchema, req, res);
    if (!body) return;
    const result = await groups.recover(String(req.params.id), body.code);
    if (!result.ok) return answer(res, result);
    res.status(201).json({
      leaderLink: leaderLink(req, String(req.params.id), result.value.token),
      recoveryCode: result.value.recoveryCode,
    });
  });

  router.get('/api/groups/:id', async (req, res) => {
    const found = await who(req, res);
    if (!found) return;
    const view =
      found.kind === 'leader'
        ? await groups.leaderView(found, memberLink(req))
        : await groups.memberView(found);
    if (!view) return sendError(res, E.NOT_FOUND, 'no such group');
    res.json(view);
  });

  router.delete('/api/groups/:id', async (req, res) => {
    const l = await leader(req, res);
    if (l) answer(res, await groups.deleteGroup(l));
  });

  router.put('/api/groups/:id/settings', async (req, res) => {
    const l = await leader(req, res);
    const body = l && parse(settingsSchema, req, res);
    if (l && body) answer(res, await groups.updateSettings(l, body));
  });

  router.post('/api/groups/:id/leaders', async (req, res) => {
    const l = await leader(req, res);
    const body = l && parse(leaderSchema, req, res);
    if (!l || !body) return;
    const result = await groups.addLeader(l, body.name);
    if (!result.ok) return answer(res, result);
    res.status(201).json({
      leaderId: result.value.leaderId,
      leaderLink: leaderLink(req, l.groupId, result.value.token),
    });
  });

  router.post('/api/groups/:id/devices', async (req, res) => {
    const l = await leader(req, res);
    const body = l && parse(deviceSchema, req, res);
    if (!l || !body) return;
    const result = await groups.addDevice(l, body.label);
    if (!result.ok) return answer(res, result);
    res
      .status(201)
      .json({ linkId: result.value.linkId, leaderLink: leaderLink(req, l.groupId, result.value.token) });
  });

  router.delete('/api/groups/:id/links/:linkId', async (req, res) => {
    const l = await leader(req, res);
    if (l) answer(res, await groups.revokeLink(l, String(req.params.linkId)));
  });

  router.delete('/api/groups/:id/leaders/:leaderId', async (req, res) => {
    const l = await leader(req, res);
    if (l) answer(res, await groups.revokeLeader(l, String(req.params.leaderId)));
  });

  router.put('/api/groups/:id/leaders/:leaderId/manager', async (req, res) => {
    const l = await leader(req, res);
    const body = l && parse(managerSchema, req, res);
    if (l && body) answer(res, await groups.setManager(l, String(req.params.leaderId), body.on));
  });

  router.post('/api/groups/:id/member-code', async (req, res) => {
    const l = await leader(req, res);
    if (!l) return;
    const result = await groups.rotateMemberCode(l);
    if (!result.ok) return answer(res, result);
    res.json({ memberCode: result.value.memberCode, memberLink: memberLink(req)(result.value.memberCode) });
  });

  router.post('/api/groups/:id/members/:memberId/admit', async (req, res) => {
    const l = await leader(req, res);
    if (l) answer(res, await groups.admit(l, String(req.params.memberId)));
  });

  router.post('/api/groups/:id/members/:memberId/merge', async (req, res) => {
    const l = await leader(req, res);
    const body = l && parse(mergeSchema, req, res);
    if (l && body) answer(res, await groups.merge(l, String(req.params.memberId), body.into));
  });

  router.delete('/api/groups/:id/members/:memberId', async (req, res) => {
    const l = await leader(req, res);
    if (l) answer(res, await groups.removeMember(l, String(req.params.memberId)));
  });

  router.delete('/api/groups/:id/members/:memberId/devices', async (req, res) => {
    const l = await leader(req, res);
    if (l) answer(res, await groups.revokeMemberDevices(l, String(req.params.memberId)));
  });

  router.delete('/api/groups/:id/me', async (req, res) => {
    const found = await who(req, res);
    if (!found) return;
    if (found.kind !== 'member') return sendError(res, E.FORBIDDEN, 'leaders revoke their links instead');
    answer(res, await groups.signOut(found));
  });

  router.delete('/api/groups/:id/me/entry', async (req, res) => {
    const found = await who(req, res);
    if (!found) return;
    if (found.kind !== 'member') return sendError(res, E.FORBIDDEN, 'for members');
    answer(res, await groups.leave(found));
  });

  router.get('/api/groups/:id/me/export', async (req, res) => {
    const found = await who(req, res);
    if (!found) return;
    if (found.kind !== 'member') return sendError(res, E.FORBIDDEN, 'for members');
    const data = await groups.memberExport(found);
    if (!data) return sendError(res, E.NOT_FOUND, 'no such member');
    res.setHeader('Cache-Control', 'no-store');
    res.json(data);
  });

  router.put('/api/groups/:id/schedule', async (req, res) => {
    const l = await leader(req, res);
    const body = l && parse(scheduleSchema, req, res);
    if (l && body) answer(res, await groups.schedule(l, body.at));
  });

  router.post('/api/groups/:id/meetings', async (req, res) => {
    const l = await leader(req, res);
    const body = l && parse(startSchema, req, res);
    if (!l || !body) return;
    const result = await groups.startMeeting(l, body.plan ?? null, body.title ?? null);
    if (!result.ok) return answer(res, result);
    const { state, joinCode, leaderToken, projectorKey } = result.value;
    const base = origin(req);
    res.status(201).json({
      meetingId: state.id,
      joinCode,
      leaderLink: `${base}/m/${state.id}/lead#t=${leaderToken}`,
      joinLink: `${base}/join#code=${joinCode}`,
      projectorLink: `${base}/m/${state.id}/projector#k=${projectorKey}`,
    });
  });

  router.post('/api/groups/:id/enter', async (req, res) => {
    const found = await who(req, res);
    if (found) answer(res, await groups.enter(found), 201);
  });

  // ATT-4: leaders see every session's lines, correct and confirm them, or delete a session.
  router.get('/api/groups/:id/sessions', async (req, res) => {
    const l = await leader(req, res);
    if (l) res.json({ sessions: await groups.sessions(l) });
  });

  router.put('/api/groups/:id/sessions/:sessionId', async (req, res) => {
    const l = await leader(req, res);
    const body = l && parse(confirmSchema, req, res);
    if (l && body)
      answer(
        res,
        await groups.attendance.confirm(
          l.groupId,
          String(req.params.sessionId),
          body.doubleSessions,
          body.attendance,
        ),
      );
  });

  router.delete('/api/groups/:id/sessions/:sessionId', async (req, res) => {
    const l = await leader(req, res);
    if (l) answer(res, await groups.attendance.deleteSession(l.groupId, String(req.params.sessionId)));
  });

  // CERT-1..3: a certificate for a period, as data for the printable page or as a PDF.
  const certificate = async (req: Request, res: Response) => {
    const found = await who(req, res);
    if (!found) return null;
    const query = parseOr(certificateQuery, req.query);
    if (!query.ok) {
      sendError(res, query.error.code, query.error.message);
      return null;
    }
    const q = query.value;
    const result = await groups.certificate(found, q.member ?? null, {
      from: q.from ?? 0,
      to: q.to ?? clock.now(),
      place: q.place ?? '',
      timeZone: safeTimeZone(q.tz),
      lang: q.lang ?? null,
    });
    if (!result.ok) {
      answer(res, result);
      return null;
    }
    return result.value;
  };
  router.get('/api/groups/:id/certificate', async (req, res) => {
    const data = await certificate(req, res);
    if (data) res.json(data);
  });
  router.get('/api/groups/:id/certificate.pdf', async (req, res) => {
    const data = await certificate(req, res);
    if (!data) return;
    if (!certificateFontAvailable())
      return sendError(res, E.UNAVAILABLE, 'the certificate font is not installed (fonts-dejavu-core)');
    const pdf = await certificatePdf(data);
    res.setHeader('Content-Type', 'application/pdf');
    res.setHeader('Content-Disposition', 'attachment; filename="certificate.pdf"');
    res.setHeader('Cache-Control', 'no-store');
    res.send(pdf);
  });

  router.put('/api/groups/:id/accreditation', async (req, res) => {
    const l = await leader(req, res);
    const body = l && parse(accreditationSchema, req, res);
    if (l && body) answer(res, await groups.setAccreditation(l, body.text));
  });

  // EVAL-n: a leader offers and closes the evaluation; members answer; results after the close.
  router.get('/api/groups/:id/evaluation', async (req, res) => {
    const found = await who(req, res);
    if (found)
      res.json(await groups.evaluations.view(found.groupId, found.kind === 'member' ? found.memberId : null));
  });
  router.post('/api/groups/:id/evaluation', async (req, res) => {
    const l = await leader(req, res);
    const body = l && parse(evaluationStartSchema, req, res);
    if (l && body) answer(res, groups.evaluations.start(l.groupId, body.items), 201);
  });
  router.post('/api/groups/:id/evaluation/close', async (req, res) => {
    const l = await leader(req, res);
    if (l) answer(res, await groups.evaluations.close(l.groupId));
  });
  router.post('/api/groups/:id/evaluation/answer', async (req, res) => {
    const found = await who(req, res);
    if (!found) return;
    if (found.kind !== 'member') return sendError(res, E.FORBIDDEN, 'for members');
    const body = parse(evaluationAnswerSchema, req, res);
    if (!body) return;
    const me = await groups.memberView(found);
    if (me?.you.status !== 'admitted') return sendError(res, E.FORBIDDEN, 'not on the roster');
    answer(res, groups.evaluations.answer(found.groupId, found.memberId, body.answers));
  });

  // DEBRIEF-n: for the group's leaders only.
  router.get('/api/groups/:id/debriefs', async (req, res) => {
    const l = await leader(req, res);
    if (l) res.json({ debriefs: await groups.debriefs(l) });
  });
  router.put('/api/groups/:id/debriefs/:debriefId', async (req, res) => {
    const l = await leader(req, res);
    const body = l && parse(debriefSchema, req, res);
    if (!l || !body) return;
    const saved = await groups.saveDebrief(l, String(req.params.debriefId), body.text, body.baseVersion);
    if (saved.ok || saved.error.code !== E.WRONG_STATUS) return answer(res, saved);
    const current = (await groups.debriefs(l)).find((d) => d.id === String(req.params.debriefId));
    res.status(409).json({ error: saved.error, current });
  });
  router.delete('/api/groups/:id/debriefs/:debriefId', async (req, res) => {
    const l = await leader(req, res);
    if (l) answer(res, await groups.deleteDebrief(l, String(req.params.debriefId)));
  });

  addFollowUpRoutes(router, {
    groups,
    limited: (req, res) => within(callLimit, req, res),
    who,
    leader,
    parse,
    answer,
    bearer,
  });

  // ATT-6: a member's own confirmed attendance and totals.
  router.get('/api/groups/:id/me/record', async (req, res) => {
    const found = await who(req, res);
    if (!found) return;
    if (found.kind !== 'member') return sendError(res, E.FORBIDDEN, 'for members');
    const record = await groups.memberRecord(found);
    if (!record) return sendError(res, E.FORBIDDEN, 'not on the roster');
    res.json(record);
  });

  // CONF-43: a group or member whose key went under the running process is gone for the request
  // (the next open drops it): 404, not a 500.
  router.use('/api/groups', (error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (!(error instanceof GroupKeyMissingError)) return next(error);
    sendError(res, E.NOT_FOUND, error.owner === 'group' ? 'no such group' : 'no such member');
  });

  return router;
}
