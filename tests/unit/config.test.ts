import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config';

function refusal(env: Record<string, string>): string {
  const loaded = loadConfig(env);
  if (loaded.ok) throw new Error(`accepted ${JSON.stringify(env)}`);
  return loaded.message;
}

describe('loadConfig', () => {
  it('START-1: PORT is decimal digits from 0 to 65535, nothing Number() would also take', () => {
    for (const port of [' ', '0x4E9B', '8e3', '+80', '-1', '80.0', '65536', '٨٠']) {
      expect(refusal({ PORT: port })).toBe('Bad configuration: PORT must be decimal digits from 0 to 65535');
    }
    const accepted = ['0', '8080', '65535'].map((p) => loadConfig({ PORT: p }));
    expect(accepted.map((l) => l.ok && l.config.port)).toEqual([0, 8080, 65535]);
  });

  it('START-1: PUBLIC_ORIGIN is an http or https URL, of which only the origin is kept', () => {
    for (const origin of [
      'javascript:alert(1)',
      'ftp://balint.example.org',
      'data:text/html,x',
      'file:///etc',
    ]) {
      expect(refusal({ PUBLIC_ORIGIN: origin })).toMatch(/^Bad configuration: PUBLIC_ORIGIN must be an http/);
    }
    expect(refusal({ PUBLIC_ORIGIN: 'https://admin:secret@balint.example.org' })).toBe(
      'Bad configuration: PUBLIC_ORIGIN must not contain a user name or password',
    );
    const loaded = loadConfig({ PUBLIC_ORIGIN: 'https://Balint.Example.org:8443/room?x=1' });
    expect(loaded.ok && loaded.config.publicOrigin).toBe('https://balint.example.org:8443');
  });

  it('START-1: HOST is an IP address or a host name; DATA_DIR is not blank', () => {
    for (const host of ['http://127.0.0.1', '127.0.0.1:8080', ' ', 'bad host', 'a/b']) {
      expect(refusal({ HOST: host })).toMatch(/^Bad configuration: HOST must be an IP address/);
    }
    const hosts = ['127.0.0.1', '0.0.0.0', '::', '::1', 'localhost', 'balint.local'].map((h) =>
      loadConfig({ HOST: h }),
    );
    expect(hosts.every((l) => l.ok)).toBe(true);
    expect(refusal({ DATA_DIR: '  ' })).toBe('Bad configuration: DATA_DIR must be a folder path');
  });

  it('START-5: GROUP_RETENTION_MONTHS and DEBRIEF_RETENTION_MONTHS are whole months from 1 to 120', () => {
    const defaults = loadConfig({});
    expect(
      defaults.ok && [defaults.config.groupRetentionMonths, defaults.config.debriefRetentionMonths],
    ).toEqual([18, 12]);
    const set = loadConfig({ GROUP_RETENTION_MONTHS: '24', DEBRIEF_RETENTION_MONTHS: '6' });
    expect(set.ok && [set.config.groupRetentionMonths, set.config.debriefRetentionMonths]).toEqual([24, 6]);
    for (const months of ['0', '121', '1.5', '-3', ' 6', '6m', '0x10']) {
      expect(refusal({ GROUP_RETENTION_MONTHS: months })).toBe(
        'Bad configuration: GROUP_RETENTION_MONTHS must be a whole number of months from 1 to 120',
      );
      expect(refusal({ DEBRIEF_RETENTION_MONTHS: months })).toBe(
        'Bad configuration: DEBRIEF_RETENTION_MONTHS must be a whole number of months from 1 to 120',
      );
    }
  });

  it('SCALE-5: DATABASE_URL is a postgres:// or postgresql:// URL, never echoed; DATABASE_POOL_SIZE 1 to 100', () => {
    for (const url of ['mysql://db/x', 'sqlite:///data/x', 'postgres', 'https://db.example.org/x']) {
      const message = refusal({ DATABASE_URL: url });
      expect(message).toMatch(
        /^Bad configuration: DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL/,
      );
      expect(message.split('\n')).toHaveLength(1);
    }
    // A refused URL may carry a password: the line never quotes it.
    expect(refusal({ DATABASE_URL: 'mysql://balint:Pa55-Secret@db/x' })).not.toContain('Pa55-Secret');
    const unset = loadConfig({});
    expect(unset.ok && [unset.config.databaseUrl, unset.config.databasePoolSize]).toEqual([null, 10]);
    for (const url of ['postgres://balint:pw@db:5432/balint', 'postgresql://db/balint']) {
      const loaded = loadConfig({ DATABASE_URL: url, DATABASE_POOL_SIZE: '25' });
      expect(loaded.ok && [loaded.config.databaseUrl, loaded.config.databasePoolSize]).toEqual([url, 25]);
    }
    for (const size of ['0', '101', '1.5', ' ', '0x10'])
      expect(refusal({ DATABASE_POOL_SIZE: size })).toBe(
        'Bad configuration: DATABASE_POOL_SIZE must be a whole number from 1 to 100',
      );
  });

  it('START-1: several wrong values are named on one line', () => {
    const message = refusal({ PORT: 'x', PUBLIC_ORIGIN: 'javascript:1' });
    expect(message.split('\n')).toHaveLength(1);
    expect(message).toMatch(/PORT must .*; PUBLIC_ORIGIN must/);
  });
  it('SCALE-7: REDIS_URL needs DATABASE_URL; both are URLs of their own scheme, never echoed', () => {
    expect(refusal({ REDIS_URL: 'redis://127.0.0.1:6379' })).toMatch(
      /^Bad configuration: REDIS_URL needs DATABASE_URL .*set DATABASE_URL too, or unset REDIS_URL/,
    );
    for (const url of ['http://127.0.0.1:6379', 'redis-server', 'redis://', ' ']) {
      expect(refusal({ REDIS_URL: url, DATABASE_URL: 'postgres://db/balint' })).toMatch(
        /^Bad configuration: REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/,
      );
    }
    const secret = 'postgres://balint:hunter2-s3cret@db.example.org:5432';
    for (const url of ['mysql://db/balint', secret.replace('postgres', 'pg'), 'postgres:///balint']) {
      const message = refusal({ DATABASE_URL: url });
      expect(message).toMatch(
        /^Bad configuration: DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL/,
      );
      expect(message).not.toContain('hunter2');
    }
    const both = loadConfig({ REDIS_URL: 'redis://127.0.0.1:6390', DATABASE_URL: `${secret}/balint` });
    expect(both.ok && [both.config.redisUrl, both.config.databaseUrl]).toEqual([
      'redis://127.0.0.1:6390',
      `${secret}/balint`,
    ]);
    const alone = loadConfig({ DATABASE_URL: 'postgresql://db.example.org/balint' });
    expect(alone.ok && [alone.config.redisUrl, alone.config.databaseUrl]).toEqual([
      null,
      'postgresql://db.example.org/balint',
    ]);
    const none = loadConfig({});
    expect(none.ok && [none.config.redisUrl, none.config.databaseUrl]).toEqual([null, null]);
  });
});
