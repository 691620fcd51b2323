/**
 * The leader's export (shared/board/export.ts), pure: what it takes from the case documents and
 * what it leaves out, and the Markdown it writes with labels passed in.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  boardExportSchema,
  buildBoardExport,
  escapeMarkdown,
  exportToMarkdown,
  type ExportLabels,
} from '../../shared/board/export';
import {
  insertNote,
  setNoteLayout,
  setNoteResonance,
  setTheme,
  type NewBoardNote,
} from '../../shared/board/schema';
import type { BoardExport } from '../../shared/protocol';

const AT = Date.UTC(2026, 10, 26, 10, 42);

function caseDoc(notes: NewBoardNote[], build: (doc: Y.Doc) => void = () => {}): Y.Doc {
  const doc = new Y.Doc();
  doc.transact(() => {
    for (const n of notes) insertNote(doc, n);
  });
  build(doc);
  return doc;
}

const note = (id: string, text: string, extra: Partial<NewBoardNote> = {}): NewBoardNote => ({
  id,
  text,
  kind: 'feeling',
  batch: 0,
  ...extra,
});

const LABELS: ExportLabels = {
  untitled: 'Untitled meeting',
  exportedAt: (at) => `Exported ${new Date(at).toISOString()}`,
  confidential: 'Confidential: keep it safe.',
  caseTitle: (n) => `Case ${n}`,
  unthemed: 'Other notes',
  notes: 'Notes',
  parked: 'Parking lot',
  emptyCase: 'Nothing on this board.',
  kind: (k) => `kind:${k}`,
  highlighted: 'highlighted',
  resonated: 'resonated',
};

describe('buildBoardExport (CONF-5)', () => {
  it('CONF-5: themes with their notes, unthemed, the parking lot passed in; highlight and resonance; never an author', () => {
    const case0 = caseDoc(
      [
        note('note-aaaaaaaa', 'a warm feeling', { author: 'Alma Zyborski' }),
        note('note-bbbbbbbb', 'a cold image', { kind: 'image', author: 'Bert Okonkwo' }),
        note('note-dddddddd', 'loose note', { author: 'Cora Vantongeren' }),
        note('note-eeeeeeee', 'theme was removed', { author: 'Cora Vantongeren' }),
      ],
      (doc) => {
        setTheme(doc, 'theme-zzzzzzzz', 'Warmth');
        setTheme(doc, 'theme-yyyyyyyy', 'Anger');
        setNoteLayout(doc, 'note-aaaaaaaa', { theme: 'theme-zzzzzzzz', highlight: true, x: 10, y: 20 });
        setNoteLayout(doc, 'note-bbbbbbbb', { theme: 'theme-zzzzzzzz' });
        setNoteLayout(doc, 'note-eeeeeeee', { theme: 'theme-gone-0000' });
        setNoteResonance(doc, 'note-bbbbbbbb', 1);
      },
    );
    const case1 = caseDoc([]);
    const exp = buildBoardExport('Thursday group', AT, [
      { caseIndex: 1, doc: case1, parked: [] },
      {
        caseIndex: 0,
        doc: case0,
        // BOARD-9: the parking lot is not in the document; the server passes it in from the rows.
        parked: [{ kind: 'association', text: 'parked advice', highlight: false, resonance: 0 }],
      },
    ]);

    expect(exp).toEqual({
      title: 'Thursday group',
      exportedAt: AT,
      cases: [
        {
          caseIndex: 0,
          themes: [
            { name: 'Anger', notes: [] },
            {
              name: 'Warmth',
              notes: [
                { kind: 'feeling', text: 'a warm feeling', highlight: true, resonance: 0 },
                { kind: 'image', text: 'a cold image', highlight: false, resonance: 1 },
              ],
            },
          ],
          unthemed: [
            { kind: 'feeling', text: 'loose note', highlight: false, resonance: 0 },
            { kind: 'feeling', text: 'theme was removed', highlight: false, resonance: 0 },
          ],
          parked: [{ kind: 'association', text: 'parked advice', highlight: false, resonance: 0 }],
        },
        { caseIndex: 1, themes: [], unthemed: [], parked: [] },
      ],
    });
    const json = JSON.stringify(exp);
    for (const leak of ['Alma', 'Bert', 'Cora', 'author', 'note-', 'theme-', 'batch', '"x"']) {
      expect(json, leak).not.toContain(leak);
    }
  });

  it('CONF-5: malformed entries on a board are left out, not exported half', () => {
    const doc = caseDoc([note('note-goodgood', 'fine')], (d) => {
      const bad = new Y.Map<unknown>();
      bad.set('text', 'no kind and no layout');
      d.getMap('notes').set('note-badbadbad', bad);
    });
    const exp = buildBoardExport('', AT, [{ caseIndex: 0, doc, parked: [] }]);
    expect(exp.cases[0]?.unthemed.map((n) => n.text)).toEqual(['fine']);
  });

  it('CONF-5: the request takes an empty object and nothing else', () => {
    expect(boardExportSchema.safeParse({}).success).toBe(true);
    expect(boardExportSchema.safeParse({ caseIndex: 0 }).success).toBe(false);
    expect(boardExportSchema.safeParse('all').success).toBe(false);
  });
});

describe('exportToMarkdown (CONF-5)', () => {
  const exp: BoardExport = {
    title: 'Thursday group',
    exportedAt: AT,
    cases: [
      {
        caseIndex: 0,
        themes: [
          { name: 'Anger', notes: [] },
          {
            name: 'Warmth',
            notes: [{ kind: 'feeling', text: 'a warm feeling', highlight: true, resonance: 1 }],
          },
        ],
        unthemed: [{ kind: 'image', text: 'two\nlines', highlight: false, resonance: 0 }],
        parked: [{ kind: 'association', text: 'advice', highlight: false, resonance: 0 }],
      },
      { caseIndex: 1, themes: [], unthemed: [], parked: [] },
    ],
  };

  it('CONF-5: headings per case and theme, the labels given, marks after a note', () => {
    expect(exportToMarkdown(exp, LABELS)).toBe(
      [
        '# Thursday group',
        '',
        '_Exported 2026-11-26T10:42:00.000Z_',
        '',
        '> Confidential: keep it safe.',
        '',
        '## Case 1',
        '',
        '### Anger',
        '',
        '### Warmth',
        '',
        '- **kind:feeling:** a warm feeling _(highlighted, resonated)_',
        '',
        '### Other notes',
        '',
        '- **kind:image:** two\\',
        '  lines',
        '',
        '### Parking lot',
        '',
        '- **kind:association:** advice',
        '',
        '## Case 2',
        '',
        '_Nothing on this board._',
        '',
      ].join('\n'),
    );
  });

  it('CONF-5: without themes the notes section has the plain label; no title gives the untitled one', () => {
    const md = exportToMarkdown(
      {
        title: '  ',
        exportedAt: AT,
        cases: [
          {
            caseIndex: 0,
            themes: [],
            unthemed: [{ kind: 'x', text: 'n', highlight: false, resonance: 0 }],
            parked: [],
          },
        ],
      },
      { ...LABELS, confidential: '' },
    );
    expect(md.split('\n').slice(0, 3)).toEqual([
      '# Untitled meeting',
      '',
      '_Exported 2026-11-26T10:42:00.000Z_',
    ]);
    expect(md).toContain('### Notes\n');
    expect(md).not.toContain('Other notes');
    expect(md).not.toContain('>');
  });

  it('CONF-5: note text cannot become a heading, link, image, HTML, list or emphasis', () => {
    const hostile = [
      '# heading',
      '[link](http://evil.example)',
      '![img](http://evil.example/x.png)',
      '<script>alert(1)</script>',
      '- item',
      '1. first',
      '**bold** _em_ `code`',
      '&amp; | table | ~strike~',
    ].join('\n');
    const md = exportToMarkdown(
      {
        title: '# <b>Title</b>',
        exportedAt: AT,
        cases: [
          {
            caseIndex: 0,
            themes: [{ name: '[theme](x)', notes: [] }],
            unthemed: [{ kind: 'feeling', text: hostile, highlight: false, resonance: 0 }],
            parked: [],
          },
        ],
      },
      LABELS,
    );
    expect(md).toContain('# \\# \\<b\\>Title\\</b\\>\n');
    expect(md).toContain('### \\[theme\\]\\(x\\)\n');
    // Every note line sits inside the one list item; none starts a block of its own.
    const item = md.slice(md.indexOf('- **kind:feeling:**'));
    const lines = item.trimEnd().split('\n');
    expect(lines).toHaveLength(8);
    for (const line of lines.slice(1)) expect(line).toMatch(/^ {2}\S/);
    for (const raw of ['<script>', '](', '![', '**bold**', '`code`', ' &amp;', '  - item', '  1. first']) {
      expect(item, raw).not.toContain(raw);
    }
    expect(item).toContain('\\&amp;');
    expect(escapeMarkdown('1) a\n- b\n= c')).toBe('1\\) a\n\\- b\n\\= c');
  });
});
