import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import { ERROR_CODES as E, type ErrorCode } from '../../shared/errors';
import { MAX_CASES, MAX_PHASES, PHASE_KINDS } from '../../shared/meeting/phases';
import { MEETING_FORMATS } from '../../shared/spoken/state';
import { BUILT_IN_TEMPLATES, DEFAULT_TEMPLATE_ID, findBuiltInTemplate } from '../../shared/meeting/templates';
import { PROTOCOL_VERSION } from '../../shared/protocol';
import { parseOr } from '../core/answer';
import type { Clock } from '../core/clock';
import type { MeetingHub } from '../core/hub';
import type { ClientAddress } from '../security/clientAddress';
import { hashSecret, normalizeJoinCode, sameHash } from '../security/tokens';
import { createReadiness, type Readiness } from './readiness';
import { memoryStores, type StoreFactory } from './rateLimit';

export interface RoutesDeps {
  hub: MeetingHub;
  clock: Clock;
  createKey: string | null;
  publicOrigin: string | null;
  /** Origins phones in the room can open; the creating leader gets them with the links. */
  phoneOrigins?: () => readonly string[];
  clientAddress: ClientAddress;
  /** The stores of the per-address budgets (shared through Redis with REDIS_URL); memory by default. */
  rateLimits?: StoreFactory;
  /** Readiness of the engines the process needs (SCALE-11); none by default (SQLite in the process). */
  readiness?: Readiness;
}

export const customTemplateSchema = z
  .object({
    name: z.string().trim().min(1).max(80),
    phases: z
      .array(
        z
          .object({
            kind: z.enum(PHASE_KINDS),
            minutes: z.number().int().min(1).max(180),
            caseIndex: z
              .number()
              .int()
              .min(0)
              .max(MAX_CASES - 1)
              .nullable(),
          })
          .strict(),
      )
      .min(1)
      .max(MAX_PHASES),
  })
  .strict();

const createSchema = z
  .object({
    title: z.string().trim().max(120).optional(),
    templateId: z.string().max(64).optional(),
    /** A leader's own template (saved in their browser), instead of a built-in one. */
    template: customTemplateSchema.optional(),
    anonymity: z.enum(['anonymous', 'named']).optional(),
    release: z.enum(['batch', 'screening']).optional(),
    timerVisibility: z.enum(['leaders', 'everyone']).optional(),
    autoAdvance: z.boolean().optional(),
    plannedStartAt: z.number().int().positive().optional(),
    leaderName: z.string().trim().max(60).optional(),
    /** In the room (the default), online or hybrid: picks the spoken work's defaults (FORMAT-1). */
    format: z.enum(MEETING_FORMATS).optional(),
  })
  .strict();

const joinSchema = z
  .object({
    code: z.string().max(40),
    name: z.string().trim().min(1).max(60),
    as: z.enum(['participant', 'observer']).optional(),
  })
  .strict();

const projectorSchema = z.object({ key: z.string().min(16).max(200) }).strict();

const STATUS: Partial<Record<ErrorCode, number>> = {
  [E.BAD_REQUEST]: 400,
  [E.UNAUTHENTICATED]: 401,
  [E.FORBIDDEN]: 403,
  [E.NOT_FOUND]: 404,
  [E.RATE_LIMITED]: 429,
  // WIRE-7: the meeting has no room for another seat of this kind.
  [E.LIMIT_REACHED]: 409,
};

/** An error answer: the status for its code, the code and message in the body. */
export function sendError(res: Response, code: ErrorCode, message: string): void {
  res.status(STATUS[code] ?? 409).json({ error: { code, message } });
}

function parse<T>(schema: z.ZodType<T>, req: Request, res: Response): T | null {
  const parsed = parseOr(schema, req.body ?? {});
  if (parsed.ok) return parsed.value;
  sendError(res, parsed.error.code, parsed.error.message);
  return null;
}

const NO_ENGINES = createReadiness({});

/** Present only when there is one, as in the leaders' view. */
function phoneOriginsField(origins: readonly string[]): { phoneOrigins?: string[] } {
  return origins.length > 0 ? { phoneOrigins: [...origins] } : {};
}

/** The small REST API: health, templates, create a meeting, join, claim a projector seat. */
export function createRoutes(deps: RoutesDeps): express.Router {
  const { hub, clock } = deps;
  const router = express.Router();
  const now = () => clock.now();
  const stores = deps.rateLimits ?? memoryStores(now);
  const createLimit = stores({ points: 20, windowMs: 60 * 60_000 }, 'create:address');
  const joinLimit = stores({ points: 30, windowMs: 10 * 60_000 }, 'join:address');
  /** Express 5 runs async handlers and passes their rejections to the error handler. */
  const within = async (limit: typeof joinLimit, req: Request, res: Response, message: string) => {
    const verdict = await limit.consume(deps.clientAddress(req));
    if (verdict.ok) return true;
    res.setHeader('Retry-After', String(Math.ceil(verdict.retryAfterMs / 1_000)));
    res.status(429).json({ error: { code: E.RATE_LIMITED, message, retryAfterMs: verdict.retryAfterMs } });
    return false;
  };
  const origin = (req: Request) => deps.publicOrigin ?? `${req.protocol}://${req.get('host')}`;

  // SCALE-11: ready means every engine answered a cheap ping just now, and the process is not
  // draining. A load balancer sends no new client to a process that answers 503 here.
  router.get('/healthz', async (_req, res) => {
    const report = await (deps.readiness ?? NO_ENGINES).report();
    res.setHeader('Cache-Control', 'no-store');
    res.status(report.ok ? 200 : 503).json({
      ok: report.ok,
      protocolVersion: PROTOCOL_VERSION,
      meetings: hub.meetingIds().length,
      // Only what a one-process server never had, so that its answer stays as it was (API-13).
      ...(report.draining ? { draining: true } : {}),
      ...(Object.keys(report.components).length > 0 ? { components: report.components } : {}),
    });
  });

  router.use('/api', express.json({ limit: '16kb' }));

  router.get('/api/templates', (_req, res) => {
    res.json({ templates: BUILT_IN_TEMPLATES, defaultTemplateId: DEFAULT_TEMPLATE_ID });
  });

  router.post('/api/meetings', async (req, res) => {
    // The limit comes first, so that guessing the create key is rate-limited too.
    if (!(await within(createLimit, req, res, 'too many meetings'))) return;
    if (
      deps.createKey !== null &&
      !sameHash(hashSecret(req.get('x-create-key') ?? ''), hashSecret(deps.createKey))
    ) {
      return sendError(res, E.FORBIDDEN, 'this server needs a key to create meetings');
    }
    const body = parse(createSchema, req, res);
    if (!body) return;
    const template = body.template
      ? { id: 'custom', name: body.template.name, phases: body.template.phases }
      : findBuiltInTemplate(body.templateId ?? DEFAULT_TEMPLATE_ID);
    if (!template) return sendError(res, E.BAD_REQUEST, 'templateId: no such template');
    const { title, templateId: _t, template: _c, plannedStartAt, leaderName, format, ...settings } = body;
    const created = await hub.create({
      title: title || '',
      template,
      settings,
      plannedStartAt,
      leaderName,
      format,
    });
    const base = origin(req);
    const id = created.state.id;
    res.status(201).json({
      meetingId: id,
      joinCode: created.joinCode,
      leaderLink: `${base}/m/${id}/lead#t=${created.leaderToken}`,
      joinLink: `${base}/join#code=${created.joinCode}`,
      projectorLink: `${base}/m/${id}/projector#k=${created.projectorKey}`,
      ...phoneOriginsField(deps.phoneOrigins?.() ?? []),
    });
  });

  router.post('/api/join', async (req, res) => {
    if (!(await within(joinLimit, req, res, 'too many attempts, wait a few minutes'))) return;
    const body = parse(joinSchema, req, res);
    if (!body) return;
    const code = normalizeJoinCode(body.code);
    if (!code) return sendError(res, E.NOT_FOUND, 'no meeting with this code');
    const result = await hub.join(code, body.name, body.as ?? 'participant');
    if (!result.ok) return sendError(res, result.error.code, result.error.message);
    res.status(201).json(result.value);
  });

  router.post('/api/meetings/:id/projector', async (req, res) => {
    if (!(await within(joinLimit, req, res, 'too many attempts'))) return;
    const body = parse(projectorSchema, req, res);
    if (!body) return;
    const result = await hub.claimProjector(String(req.params.id), body.key);
    if (!result.ok) return sendError(res, result.error.code, result.error.message);
    res.status(201).json(result.value);
  });

  router.use('/api', (_req, res) => sendError(res, E.NOT_FOUND, 'no such endpoint'));
  return router;
}
