import path from 'node:path';
import { z } from 'zod';
import { parseTrustProxy, type TrustProxy } from './security/clientAddress';

/** Configuration from environment variables, validated at start-up. */
const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  /** The origin browsers use, e.g. https://balint.example.org behind a reverse proxy. */
  PUBLIC_ORIGIN: z
    .string()
    .url()
    .transform((u) => new URL(u).origin)
    .optional(),
  DATA_DIR: z.string().min(1).default('data'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  /** When set, creating a meeting needs this key (header `x-create-key`). */
  CREATE_KEY: z.string().min(12, 'CREATE_KEY must be at least 12 characters').optional(),
  /** NORMAL survives a killed process; FULL survives power loss too. */
  SQLITE_SYNCHRONOUS: z.enum(['NORMAL', 'FULL']).default('NORMAL'),
  INACTIVITY_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 30)
    .default(24),
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
});

export interface Config {
  port: number;
  host: string;
  publicOrigin: string | null;
  dataDir: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  createKey: string | null;
  sqliteSynchronous: 'NORMAL' | 'FULL';
  inactivityLimitMs: number;
  trustProxy: TrustProxy;
}

export function loadConfig(
  env: NodeJS.ProcessEnv,
): { ok: true; config: Config } | { ok: false; message: string } {
  const parsed = envSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    return { ok: false, message: `Bad configuration:\n${lines.join('\n')}` };
  }
  const e = parsed.data;
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
      inactivityLimitMs: e.INACTIVITY_HOURS * 3_600_000,
      trustProxy: e.TRUST_PROXY,
    },
  };
}
