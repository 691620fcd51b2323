/**
 * PROTO-1: a change to what goes over the wire is a decision, not an accident. The wire's types
 * are everything shared/protocol.ts reaches through its imports; their text (comments and
 * layout aside) has a fingerprint recorded in protocol-shape.json with the PROTOCOL_VERSION it
 * was decided under. When it changes, whoever changed it records it again: with a new version
 * if an existing field was altered or removed (old clients would misread it: they are asked to
 * reload), with the same version if only something was added. docs/protocol.md describes what
 * changed in every version after the first.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../shared/protocol';

const ROOT = path.resolve(__dirname, '..', '..');
const RECORD = path.join(__dirname, 'protocol-shape.json');

/** The files the wire's types come from, following relative imports from shared/protocol.ts. */
function wireFiles(): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/from\s+'(\.[^']+)'/g)) {
      const base = path.resolve(path.dirname(file), m[1] ?? '');
      const target = [`${base}.ts`, path.join(base, 'index.ts')].find((f) => existsSync(f));
      if (target && !target.endsWith('protocol-version.ts')) visit(target);
    }
  };
  visit(path.join(ROOT, 'shared', 'protocol.ts'));
  return [...seen].sort();
}

/** Comments and layout do not count; everything else does. */
function normalised(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:'"`])\/\/.*$/gm, '$1')
    .replace(/\s+/g, ' ')
    .trim();
}

function fingerprint(): string {
  const hash = createHash('sha256');
  for (const file of wireFiles()) {
    hash.update(path.relative(ROOT, file));
    hash.update('\0');
    hash.update(normalised(readFileSync(file, 'utf8')));
    hash.update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

describe('the protocol version follows the wire (PROTO-1)', () => {
  it('PROTO-1: the wire types are recorded under the current PROTOCOL_VERSION', () => {
    const recorded = JSON.parse(readFileSync(RECORD, 'utf8')) as { version: number; fingerprint: string };
    const now = fingerprint();
    expect(
      { version: PROTOCOL_VERSION, fingerprint: now },
      `The wire's types changed (${wireFiles().length} files from shared/protocol.ts). If an existing field ` +
        `was altered or removed, bump PROTOCOL_VERSION (shared/protocol-version.ts) and add "What changed in ` +
        `version N" to docs/protocol.md; then write {"version": N, "fingerprint": "${now}"} to ` +
        `tests/unit/protocol-shape.json.`,
    ).toEqual(recorded);
  });

  it('PROTO-1: docs/protocol.md names the version and says what changed in each one after the first', () => {
    const doc = readFileSync(path.join(ROOT, 'docs', 'protocol.md'), 'utf8');
    expect(doc).toContain(`(version ${PROTOCOL_VERSION})`);
    for (let v = 2; v <= PROTOCOL_VERSION; v++) expect(doc).toContain(`## What changed in version ${v}`);
  });

  it('PROTO-1: the fingerprint sees a field change and ignores a comment', () => {
    const a = 'export interface V { a: string } // the old name';
    expect(normalised(a)).toBe(normalised('export interface V {\n  a: string\n}'));
    expect(normalised(a)).not.toBe(normalised('export interface V { b: string }'));
    // A URL in a string is not a comment.
    expect(normalised("const u = 'http://x'")).toContain('http://x');
  });
});
