import express, { type Request } from 'express';
import { ERROR_CODES as E } from '../../shared/errors';
import type { Logger } from '../core/logger';
import { addressAllowed, forwardedWithoutTrust } from './allow';
import type { AppMetrics } from './metrics';

/**
 * The client's address as /metrics judges it. The one place to swap for the shared resolver
 * (server/security/clientAddress.ts) when it lands; until then Express's own, which follows
 * X-Forwarded-For only when TRUST_PROXY is on.
 */
export const metricsClientAddress = (req: Request): string | undefined => req.ip;

export interface MetricsRouteDeps {
  metrics: AppMetrics;
  /** Addresses and CIDR ranges that may scrape (METRICS_ALLOW). */
  allow: readonly string[];
  trustProxy: boolean;
  logger: Logger;
}

/**
 * GET /metrics in the Prometheus text format, for allowed addresses only; and a counter of
 * every HTTP answer that carries an error code (registered first, so it sees all routes').
 */
export function createMetricsRoutes(deps: MetricsRouteDeps): express.Router {
  const router = express.Router();
  const allowed = addressAllowed(deps.allow);

  router.use((_req, res, next) => {
    const json = res.json.bind(res);
    res.json = (body: unknown) => {
      const code = (body as { error?: { code?: unknown } } | null)?.error?.code;
      if (res.statusCode >= 400 && typeof code === 'string') deps.metrics.httpRefused(code);
      return json(body);
    };
    next();
  });

  router.get('/metrics', (req, res, next) => {
    if (forwardedWithoutTrust(req.headers, deps.trustProxy) || !allowed(metricsClientAddress(req))) {
      // Counted by kind only: the address itself is personal data and stays out of the logs.
      deps.logger.info('metrics.refused', { forwarded: forwardedWithoutTrust(req.headers, deps.trustProxy) });
      res.status(403).json({ error: { code: E.FORBIDDEN, message: 'metrics are not open to this address' } });
      return;
    }
    deps.metrics.registry.metrics().then((text) => {
      res.setHeader('Content-Type', deps.metrics.registry.contentType);
      res.setHeader('Cache-Control', 'no-store');
      res.send(text);
    }, next);
  });

  return router;
}
