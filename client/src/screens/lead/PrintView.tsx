import { useEffect, useRef } from 'react';
import type { BoardExport } from '../../../../shared/protocol';
import { useLanguage, useT } from '../../i18n';
import { formatDateTime } from '../../meeting/format';
import { exportSections, exportTitle, kindLabel, noteMarks } from './exportBoards';

/**
 * The export as a page to print (or save as PDF): themes and notes per case, no authors, in
 * print styles. It stands in for the console until the leader goes back.
 */
export function PrintView({ data, onClose }: { data: BoardExport; onClose: () => void }) {
  const t = useT();
  const lang = useLanguage();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <main className="print-view" data-testid="print-view">
      <div className="print-toolbar">
        <button type="button" className="button-primary" onClick={() => window.print()}>
          {t('export.printNow')}
        </button>
        <button type="button" onClick={onClose}>
          {t('export.backToConsole')}
        </button>
      </div>
      <h1 ref={heading} tabIndex={-1}>
        {exportTitle(data, t)}
      </h1>
      <p className="print-meta">{t('export.exportedAt', { time: formatDateTime(data.exportedAt, lang) })}</p>
      <p className="print-meta">{t('export.confidential')}</p>
      {data.cases.map((c) => {
        const sections = exportSections(c, t);
        return (
          <section key={c.caseIndex} className="print-case">
            <h2>{t('phase.caseN', { n: c.caseIndex + 1 })}</h2>
            {sections.length === 0 && <p className="print-meta">{t('export.emptyCase')}</p>}
            {sections.map((s, i) => (
              <section key={i} className="print-section">
                <h3>{s.title}</h3>
                <ul>
                  {s.notes.map((note, j) => {
                    const marks = noteMarks(note, t);
                    return (
                      <li key={j} className={note.highlight ? 'is-highlight' : undefined}>
                        <span className="note-kind">{kindLabel(note.kind, t)}</span>
                        <p className="note-text">{note.text}</p>
                        {marks.length > 0 && <p className="print-marks">{marks.join(' · ')}</p>}
                      </li>
                    );
                  })}
                </ul>
              </section>
            ))}
          </section>
        );
      })}
    </main>
  );
}
