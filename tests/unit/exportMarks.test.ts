/**
 * SCREEN-11: the Markdown export writes its marks alike in every language (both in lower case,
 * as one parenthesis), not "_(highlighted)_" beside "_(Resonated)_".
 */
import { describe, expect, it } from 'vitest';
import { toMarkdown } from '../../client/src/screens/lead/exportBoards';
import { interpolate } from '../../client/src/i18n';
import { de } from '../../client/src/i18n/de';
import { el } from '../../client/src/i18n/el';
import { en, type Catalogue, type MessageKey } from '../../client/src/i18n/en';
import type { BoardExport } from '../../shared/protocol';

const EXPORT: BoardExport = {
  title: 'Thursday group',
  exportedAt: Date.UTC(2026, 10, 26, 10, 42),
  cases: [
    {
      caseIndex: 0,
      themes: [],
      unthemed: [
        { text: 'Only highlighted.', kind: 'feeling', highlight: true, resonance: 0 },
        { text: 'Only resonated.', kind: 'image', highlight: false, resonance: 1 },
        { text: 'Both marks.', kind: 'association', highlight: true, resonance: 2 },
      ],
      parked: [],
    },
  ],
};

describe('the export marks (SCREEN-11)', () => {
  for (const [lang, catalogue] of [
    ['en', en],
    ['de', de],
    ['el', el],
  ] as [string, Catalogue][]) {
    it(`SCREEN-11: ${lang}: highlighted and resonated are written alike`, () => {
      const t = (key: MessageKey, params?: Record<string, string | number>) =>
        interpolate(catalogue[key], params);
      const md = toMarkdown(EXPORT, t, lang);
      const marks = [...md.matchAll(/ _\((.+?)\)_$/gm)].map((m) => m[1] ?? '');
      expect(marks).toHaveLength(3);
      const words = marks.flatMap((m) => m.split(', '));
      for (const word of words) expect(word, `${lang}: ${word}`).toBe(word.toLocaleLowerCase(lang));
      expect(marks[2]).toBe(`${catalogue['export.highlighted']}, ${catalogue['export.resonated']}`);
    });
  }
});
