import type { BoardExport, ExportedNote } from '../../../../shared/protocol';
import { exportToMarkdown } from '../../../../shared/board/export';
import type { MessageKey, Translate } from '../../i18n';
import { formatDateTime } from '../../meeting/format';

/** One section of a case, as the Markdown export has them. */
export interface ExportSection {
  title: string;
  notes: ExportedNote[];
}

/** A case in reading order: every named theme (even an empty one), the rest, the parking lot. */
export function exportSections(c: BoardExport['cases'][number], t: Translate): ExportSection[] {
  return [
    ...c.themes.map((theme) => ({ title: theme.name, notes: theme.notes })),
    ...(c.unthemed.length > 0
      ? [{ title: t(c.themes.length > 0 ? 'export.unthemed' : 'export.notes'), notes: c.unthemed }]
      : []),
    ...(c.parked.length > 0 ? [{ title: t('board.parked'), notes: c.parked }] : []),
  ];
}

export const kindLabel = (kind: string, t: Translate) => t(`noteKind.${kind}` as MessageKey);

/** Marks after a note: highlighted by a leader, resonated with the presenter. No author, ever. */
export function noteMarks(note: ExportedNote, t: Translate): string[] {
  const marks: string[] = [];
  if (note.highlight) marks.push(t('export.highlighted'));
  if (note.resonance > 0) marks.push(t('export.resonated'));
  return marks;
}

export function exportTitle(data: BoardExport, t: Translate): string {
  return data.title.trim() || t('export.untitled');
}

/** The whole export as Markdown (shared/board/export.ts writes it), in the reader's language. */
export function toMarkdown(data: BoardExport, t: Translate, lang: string): string {
  return exportToMarkdown(data, {
    untitled: t('export.untitled'),
    exportedAt: (at) => t('export.exportedAt', { time: formatDateTime(at, lang) }),
    confidential: t('export.confidential'),
    caseTitle: (n) => t('phase.caseN', { n }),
    unthemed: t('export.unthemed'),
    notes: t('export.notes'),
    parked: t('board.parked'),
    emptyCase: t('export.emptyCase'),
    kind: (kind) => kindLabel(kind, t),
    highlighted: t('export.highlighted'),
    resonated: t('export.resonated'),
  });
}

/** Offers a file to save. A Blob URL works on plain-HTTP pages too; nothing leaves the device. */
export function downloadText(fileName: string, text: string, type = 'text/markdown'): void {
  const url = URL.createObjectURL(new Blob([text], { type: `${type};charset=utf-8` }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function exportFileName(data: BoardExport): string {
  const d = new Date(data.exportedAt);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `balint-board-${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}.md`;
}
