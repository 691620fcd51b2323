import type * as Y from 'yjs';
import { z } from 'zod';
import type { BoardExport, ExportedNote } from '../protocol';
import { readBoard, type BoardNote } from './schema';

/**
 * What a leader keeps of a meeting before it is deleted: the public board of every case. Built
 * from the case documents, so it holds exactly what the boards showed (released, visible notes;
 * themes; highlight and resonance) and nothing the board does not: no held or hidden note, no
 * author, not even in named meetings, no note id, no batch, no position. The parking lot is the
 * leaders' (BOARD-9): the caller passes it in for the cases whose leaders keep it for the export.
 */

/** `board:export` takes no arguments. */
export const boardExportSchema = z.object({}).strict();

export interface CaseBoard {
  caseIndex: number;
  doc: Y.Doc;
  /** The case's parked notes when the export keeps them (BOARD-9), else empty. */
  parked: readonly ExportedNote[];
  /**
   * The presenter's marks by note id, from the note rows (BOARD-10: the board carries them only
   * while shown, the export always). Absent: the board's own values.
   */
  resonance?: ReadonlyMap<string, number>;
}

function exported(n: BoardNote, marks?: ReadonlyMap<string, number>): ExportedNote {
  // Field by field: nothing else of the note (author, id, batch) can slip into an export.
  return { kind: n.kind, text: n.text, highlight: n.highlight, resonance: marks?.get(n.id) ?? n.resonance };
}

const byName = (a: { name: string }, b: { name: string }) =>
  a.name.localeCompare(b.name, undefined, { sensitivity: 'base' });

/**
 * The export of every case board. Themes are sorted by name; notes keep the board's order (by
 * random id, so it follows no arrival). A note whose theme no longer exists is unthemed.
 */
export function buildBoardExport(
  title: string,
  exportedAt: number,
  boards: readonly CaseBoard[],
): BoardExport {
  const cases = [...boards]
    .sort((a, b) => a.caseIndex - b.caseIndex)
    .map(({ caseIndex, doc, parked, resonance }) => {
      const { notes, themes } = readBoard(doc);
      const known = new Set(themes.map((t) => t.id));
      const out = (n: BoardNote) => exported(n, resonance);
      const inTheme = (id: string) => notes.filter((n) => n.theme === id).map(out);
      return {
        caseIndex,
        themes: themes.map((t) => ({ name: t.name, notes: inTheme(t.id) })).sort(byName),
        unthemed: notes.filter((n) => n.theme === null || !known.has(n.theme)).map(out),
        parked: parked.map((n) => ({
          kind: n.kind,
          text: n.text,
          highlight: n.highlight,
          resonance: n.resonance,
        })),
      };
    });
  return { title, exportedAt, cases };
}

/** The words of a Markdown export, passed in so that each client writes them in its language. */
export interface ExportLabels {
  /** The heading when the meeting has no title. */
  untitled: string;
  /** The line under the heading, e.g. "Exported on 26 November 2026, 10:42". */
  exportedAt: (exportedAt: number) => string;
  /** A reminder that the content is confidential; omitted when empty. */
  confidential: string;
  /** A case's heading, e.g. "Case 1". */
  caseTitle: (caseNumber: number) => string;
  /** The section of notes in no theme, when the case has themes. */
  unthemed: string;
  /** The same section when the case has no themes at all. */
  notes: string;
  parked: string;
  /** Said of a case with nothing on its board. */
  emptyCase: string;
  /** A note kind's name (association, feeling, image, ...). */
  kind: (kind: string) => string;
  highlighted: string;
  resonated: string;
}

/**
 * Markdown's own characters escaped, so that a note reads as written and cannot turn into a
 * heading, a link, an image, HTML or a list. CommonMark lets any ASCII punctuation be escaped.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\\`*_[\]{}()<>#+!|~&]/g, '\\$&')
    .replace(/^(\s*)([-=])/gm, '$1\\$2')
    .replace(/^(\s*\d+)([.)])/gm, '$1\\$2');
}

/** One note as a list item; its own line breaks stay line breaks inside the item. */
function noteLine(note: ExportedNote, labels: ExportLabels): string {
  const lines = note.text
    .split(/\r\n|\r|\n/)
    .map((line) => line.trim())
    .filter(Boolean)
    .map(escapeMarkdown);
  const marks = [note.highlight ? labels.highlighted : '', note.resonance > 0 ? labels.resonated : ''].filter(
    Boolean,
  );
  const suffix = marks.length > 0 ? ` _(${marks.map(escapeMarkdown).join(', ')})_` : '';
  return `- **${escapeMarkdown(labels.kind(note.kind))}:** ${lines.join('\\\n  ')}${suffix}`;
}

/** The whole export as one Markdown document: per case its themes, the rest, the parking lot. */
export function exportToMarkdown(exp: BoardExport, labels: ExportLabels): string {
  const out: string[] = [`# ${escapeMarkdown(exp.title.trim() || labels.untitled)}`, ''];
  out.push(`_${escapeMarkdown(labels.exportedAt(exp.exportedAt))}_`, '');
  if (labels.confidential) out.push(`> ${escapeMarkdown(labels.confidential)}`, '');
  for (const c of exp.cases) {
    out.push(`## ${escapeMarkdown(labels.caseTitle(c.caseIndex + 1))}`, '');
    // Every theme a leader named, even an empty one; the rest and the parking lot when not empty.
    const sections = [
      ...c.themes.map((t) => ({ title: t.name, notes: t.notes })),
      ...(c.unthemed.length > 0
        ? [{ title: c.themes.length > 0 ? labels.unthemed : labels.notes, notes: c.unthemed }]
        : []),
      ...(c.parked.length > 0 ? [{ title: labels.parked, notes: c.parked }] : []),
    ];
    if (sections.length === 0) out.push(`_${escapeMarkdown(labels.emptyCase)}_`, '');
    for (const s of sections) {
      out.push(`### ${escapeMarkdown(s.title)}`, '');
      for (const note of s.notes) out.push(noteLine(note, labels));
      if (s.notes.length > 0) out.push('');
    }
  }
  return `${out.join('\n').trimEnd()}\n`;
}
