import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { ERROR_CODES as E, type Result } from '../../shared/errors';
import { CASE_LABEL_MAX } from '../../shared/group/followUp';
import { MAX_CASES } from '../../shared/meeting/phases';
import { sendError } from '../http/routes';
import type { GroupService } from './service';
import type { GroupIdentity } from './rows';

type Leader = Extract<GroupIdentity, { kind: 'leader' }>;

export interface FollowUpRoutesContext {
  groups: GroupService;
  /** The rate limit of group calls; false when it answered 429. */
  limited(req: Request, res: Response): Promise<boolean>;
  who(req: Request, res: Response): Promise<GroupIdentity | null>;
  leader(req: Request, res: Response): Promise<Leader | null>;
  parse<T>(schema: z.ZodType<T>, req: Request, res: Response): T | null;
  answer<T>(res: Response, result: Result<T>, status?: number): void;
  /** The bearer token of the request (a seat token on the meetings' paths). */
  bearer(req: Request): string | null;
}

const keepSchema = z
  .object({
    caseIndex: z
      .number()
      .int()
      .min(0)
      .max(MAX_CASES - 1),
    // Trimmed and checked for control characters by normalizeCaseLabel (FOLLOW-2).
    label: z.string().max(CASE_LABEL_MAX * 2),
    followUp: z.boolean(),
    forMemberId: z.string().min(1).max(64).nullable().optional(),
  })
  .strict();
const shareSchema = z.object({ on: z.boolean() }).strict();

/**
 * Case labels for follow-up (SPEC.md FOLLOW-n; docs/protocol.md "Case labels"). From inside a
 * group's meeting a seat token asks (the presenter's yes, a leader's record for a presenter
 * without a device, the console's open follow-ups); on the group page a group token.
 */
export function addFollowUpRoutes(router: Router, ctx: FollowUpRoutesContext): void {
  const { groups } = ctx;
  const followUps = groups.followUps;
  const meetingId = (req: Request) => String(req.params.id);

  router.post('/api/meetings/:id/case-labels', express.json({ limit: '4kb' }), async (req, res) => {
    if (!(await ctx.limited(req, res))) return;
    const body = ctx.parse(keepSchema, req, res);
    if (body) ctx.answer(res, await followUps.keep(meetingId(req), ctx.bearer(req), body), 201);
  });

  router.get('/api/meetings/:id/follow-ups', async (req, res) => {
    if (!(await ctx.limited(req, res))) return;
    res.setHeader('Cache-Control', 'no-store');
    ctx.answer(res, await followUps.forConsole(meetingId(req), ctx.bearer(req)));
  });

  router.get('/api/groups/:id/labels', async (req, res) => {
    const found = await ctx.who(req, res);
    if (!found) return;
    const view = await followUps.list(found);
    if (!view) return sendError(res, E.NOT_FOUND, 'no such group');
    res.setHeader('Cache-Control', 'no-store');
    res.json(view);
  });

  router.put('/api/groups/:id/labels/shared', async (req, res) => {
    const l = await ctx.leader(req, res);
    const body = l && ctx.parse(shareSchema, req, res);
    if (l && body) ctx.answer(res, await followUps.share(l, body.on));
  });

  router.post('/api/groups/:id/labels/:labelId/renew', async (req, res) => {
    const l = await ctx.leader(req, res);
    if (l) ctx.answer(res, await followUps.renew(l, String(req.params.labelId)));
  });

  // FOLLOW-7: marked done, or deleted: either way the label goes for good.
  router.post('/api/groups/:id/labels/:labelId/done', async (req, res) => {
    const l = await ctx.leader(req, res);
    if (l) ctx.answer(res, await followUps.remove(l, String(req.params.labelId), 'done'));
  });

  router.delete('/api/groups/:id/labels/:labelId', async (req, res) => {
    const l = await ctx.leader(req, res);
    if (l) ctx.answer(res, await followUps.remove(l, String(req.params.labelId), 'deleted'));
  });

  // START: the retention periods in force, for the Privacy page (no token: they are the server's).
  router.get('/api/privacy', (_req, res) => {
    res.json(groups.retentionPeriods);
  });
}
