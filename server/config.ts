import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { DEBRIEF_RETENTION_MONTHS, GROUP_RETENTION_MONTHS } from '../shared/group/rules';
import { DEFAULT_METRICS_ALLOW, parseAllowList } from './metrics/allow';
import { DEFAULT_POOL_SIZE } from './storage/async/pgPool';

const MAX_PORT = 65_535;
/** A DNS name: dot-separated labels of letters, digits and inner hyphens (RFC 1123). */
const HOSTNAME =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i;

/**
 * Digits only: `Number()` would take " " as 0 (a random port) and "0x4E9B" as 20123, so an admin's
 * typo would silently serve somewhere else.
 */
const portSchema = z
  .string()
  .regex(/^\d{1,5}$/, `PORT must be decimal digits from 0 to ${MAX_PORT}`)
  .transform(Number)
  .refine((n) => n <= MAX_PORT, `PORT must be decimal digits from 0 to ${MAX_PORT}`);

const hostSchema = z
  .string()
  .refine(
    (h) => isIP(h) !== 0 || HOSTNAME.test(h),
    'HOST must be an IP address (e.g. 127.0.0.1, 0.0.0.0, ::) or a host name, without scheme or port',
  );

/** Links are built from it: anything but http(s) would give every link a `null` origin. */
const publicOriginSchema = z
  .string()
  .refine((u) => URL.canParse(u) && ['http:', 'https:'].includes(new URL(u).protocol), {
    message: 'PUBLIC_ORIGIN must be an http:// or https:// URL, e.g. https://balint.example.org',
  })
  .refine((u) => !URL.canParse(u) || (new URL(u).username === '' && new URL(u).password === ''), {
    message: 'PUBLIC_ORIGIN must not contain a user name or password',
  })
  .transform((u) => new URL(u).origin);

/**
 * A connection URL of one of `schemes`. The message never repeats the value: a URL may carry a
 * password, and start-up lines end up in service logs.
 */
const serviceUrlSchema = (name: string, schemes: readonly string[], example: string) =>
  z
    .string()
    .refine(
      (u) => URL.canParse(u) && schemes.includes(new URL(u).protocol) && new URL(u).hostname !== '',
      `${name} must be a ${schemes.map((s) => `${s}//`).join(' or ')} URL with a host, e.g. ${example}`,
    );

const dataDirSchema = z
  .string()
  .refine((d) => d.trim() !== '' && !d.includes('\0'), 'DATA_DIR must be a folder path');
import { parseTrustProxy, type TrustProxy } from './security/clientAddress';

/** Connections per process: the processes' pools together must stay under `max_connections`. */
const MAX_POOL_SIZE = 100;
const poolSizeSchema = z
  .string()
  .regex(/^\d{1,3}$/, `DATABASE_POOL_SIZE must be a whole number from 1 to ${MAX_POOL_SIZE}`)
  .transform(Number)
  .refine(
    (n) => n >= 1 && n <= MAX_POOL_SIZE,
    `DATABASE_POOL_SIZE must be a whole number from 1 to ${MAX_POOL_SIZE}`,
  );

/** Whole months from 1 to 120, digits only (a typo must not shorten what a group keeps silently). */
const MAX_RETENTION_MONTHS = 120;
const monthsSchema = (name: string) =>
  z
    .string()
    .regex(/^\d{1,3}$/, `${name} must be a whole number of months from 1 to ${MAX_RETENTION_MONTHS}`)
    .transform(Number)
    .refine(
      (n) => n >= 1 && n <= MAX_RETENTION_MONTHS,
      `${name} must be a whole number of months from 1 to ${MAX_RETENTION_MONTHS}`,
    );

/** Configuration from environment variables, validated at start-up. */
const envSchema = z.object({
  PORT: portSchema.default(8080),
  HOST: hostSchema.default('127.0.0.1'),
  /** The origin browsers use, e.g. https://balint.example.org behind a reverse proxy. */
  PUBLIC_ORIGIN: publicOriginSchema.optional(),
  DATA_DIR: dataDirSchema.default('data'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  /** When set, creating a meeting needs this key (header `x-create-key`). */
  CREATE_KEY: z.string().min(12, 'CREATE_KEY must be at least 12 characters').optional(),
  /** NORMAL survives a killed process; FULL survives power loss too. */
  SQLITE_SYNCHRONOUS: z.enum(['NORMAL', 'FULL']).default('NORMAL'),
  DATABASE_POOL_SIZE: poolSizeSchema.default(DEFAULT_POOL_SIZE),
  INACTIVITY_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 30)
    .default(24),
  /** GROUP-16: whole months without a meeting after which a group is deleted. */
  GROUP_RETENTION_MONTHS: monthsSchema('GROUP_RETENTION_MONTHS').default(GROUP_RETENTION_MONTHS),
  /** DEBRIEF-3: whole months after its last change that a leaders' debrief page is kept. */
  DEBRIEF_RETENTION_MONTHS: monthsSchema('DEBRIEF_RETENTION_MONTHS').default(DEBRIEF_RETENTION_MONTHS),
  /** 0, the number of reverse proxies in front (1-5), or their addresses/CIDR ranges. */
  TRUST_PROXY: z
    .string()
    .default('0')
    .transform((raw, ctx) => {
      const parsed = parseTrustProxy(raw);
      if (parsed.ok) return parsed.value;
      ctx.addIssue({ code: 'custom', message: parsed.message });
      return z.NEVER;
    }),
  /** Who may scrape /metrics: comma-separated addresses and CIDR ranges, judged on the client address. */
  METRICS_ALLOW: z
    .string()
    .transform((text, ctx) => {
      const parsed = parseAllowList(text);
      if (parsed.ok) return parsed.list;
      ctx.addIssue({ code: 'custom', message: `not an address or CIDR range: ${parsed.bad}` });
      return z.NEVER;
    })
    .optional(),
  /** Puts the meetings on PostgreSQL instead of the SQLite file in DATA_DIR (issue 14). */
  DATABASE_URL: serviceUrlSchema(
    'DATABASE_URL',
    ['postgres:', 'postgresql:'],
    'postgres://balint@db.example.org/balint',
  ).optional(),
  /** Redis: Socket.IO fan-out and shared rate limits between processes (SCALE-7). */
  REDIS_URL: serviceUrlSchema('REDIS_URL', ['redis:', 'rediss:'], 'redis://127.0.0.1:6379').optional(),
});

export interface Config {
  port: number;
  host: string;
  publicOrigin: string | null;
  dataDir: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  createKey: string | null;
  sqliteSynchronous: 'NORMAL' | 'FULL';
  /** PostgreSQL for the meetings; null keeps them in the SQLite file of DATA_DIR. */
  databaseUrl: string | null;
  databasePoolSize: number;
  inactivityLimitMs: number;
  trustProxy: TrustProxy;
  metricsAllow: readonly string[];
  groupRetentionMonths: number;
  debriefRetentionMonths: number;
  /** Redis's URL (REDIS_URL), or null for one process on its own. */
  redisUrl: string | null;
}

export function loadConfig(
  env: NodeJS.ProcessEnv,
): { ok: true; config: Config } | { ok: false; message: string } {
  const parsed = envSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    // One line (start-up errors are one line each), naming every variable that is wrong.
    const problems = parsed.error.issues.map((i) =>
      i.message.startsWith(String(i.path[0])) ? i.message : `${i.path.join('.')}: ${i.message}`,
    );
    return { ok: false, message: `Bad configuration: ${problems.join('; ')}` };
  }
  const e = parsed.data;
  // SCALE-7: Redis serves several processes, and several processes on one SQLite file each would
  // each hold their own meetings: a client sent to the other process would find none of them.
  if (e.REDIS_URL !== undefined && e.DATABASE_URL === undefined) {
    return {
      ok: false,
      message:
        'Bad configuration: REDIS_URL needs DATABASE_URL (several processes share their meetings through PostgreSQL): set DATABASE_URL too, or unset REDIS_URL to run one process',
    };
  }
  return {
    ok: true,
    config: {
      port: e.PORT,
      host: e.HOST,
      publicOrigin: e.PUBLIC_ORIGIN ?? null,
      dataDir: path.resolve(e.DATA_DIR),
      logLevel: e.LOG_LEVEL,
      createKey: e.CREATE_KEY ?? null,
      sqliteSynchronous: e.SQLITE_SYNCHRONOUS,
      databaseUrl: e.DATABASE_URL ?? null,
      databasePoolSize: e.DATABASE_POOL_SIZE,
      inactivityLimitMs: e.INACTIVITY_HOURS * 3_600_000,
      trustProxy: e.TRUST_PROXY,
      metricsAllow: e.METRICS_ALLOW ?? DEFAULT_METRICS_ALLOW,
      groupRetentionMonths: e.GROUP_RETENTION_MONTHS,
      debriefRetentionMonths: e.DEBRIEF_RETENTION_MONTHS,
      redisUrl: e.REDIS_URL ?? null,
    },
  };
}
