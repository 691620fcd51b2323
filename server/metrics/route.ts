import express from 'express';
import { ERROR_CODES as E } from '../../shared/errors';
import type { Logger } from '../core/logger';
import { addressAllowed, forwardedWithoutTrust } from './allow';
import type { AppMetrics } from './metrics';
import type { ClientAddress, TrustProxy } from '../security/clientAddress';

export interface MetricsRouteDeps {
  metrics: AppMetrics;
  /** Addresses and CIDR ranges that may scrape (METRICS_ALLOW). */
  allow: readonly string[];
  trustProxy: TrustProxy;
  /** The one resolver of the client address (REST, handshake and board alike). */
  clientAddress: ClientAddress;
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
    if (
      forwardedWithoutTrust(req.headers, deps.trustProxy.kind !== 'none') ||
      !allowed(deps.clientAddress(req))
    ) {
      // Counted by kind only: the address itself is personal data and stays out of the logs.
      deps.logger.info('metrics.refused', {
        forwarded: forwardedWithoutTrust(req.headers, deps.trustProxy.kind !== 'none'),
      });
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
