import Database from 'better-sqlite3';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqliteGroupStore } from '../../server/groups/open';
import { GROUP_FILE_NAME } from '../../server/groups/store';
import { GROUP_STORAGE } from '../../shared/group/storage';
import { tempFolder } from '../helpers/confidential';

describe('what a group stores (GROUP-13)', () => {
  it('GROUP-13: every table and column of the group file is declared for the Privacy page, and nothing else', async () => {
    const file = path.join(tempFolder(), GROUP_FILE_NAME);
    await openSqliteGroupStore({ file, synchronous: 'NORMAL' }).close();
    const db = new Database(file, { readonly: true });
    try {
      const tables = (
        db
          .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
          .all() as {
          name: string;
        }[]
      ).map((r) => r.name);
      const actual = Object.fromEntries(
        tables.map((table) => [
          table,
          (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name).sort(),
        ]),
      );
      const declared = Object.fromEntries(GROUP_STORAGE.map((d) => [d.table, [...d.columns].sort()]));
      expect(actual).toEqual(declared);
    } finally {
      db.close();
    }
  });
});
