import { useState } from 'react';
import type { BoardExport } from '../../../../shared/protocol';
import { useConnection } from '../../connection';
import { useLanguage, useT } from '../../i18n';
import type { ErrorCode } from '../../../../shared/errors';
import { downloadText, exportFileName, toMarkdown } from './exportBoards';

/** How long the console waits for the export before it says the server did not answer. */
const EXPORT_GIVE_UP_MS = 20_000;

/**
 * The leader's explicit act of keeping the boards: every case's themes and notes, never an
 * author, as a Markdown file or a printable page. Nothing is stored on the server for it.
 */
export function ExportPanel({ onPrint }: { onPrint: (data: BoardExport) => void }) {
  const t = useT();
  const lang = useLanguage();
  const connection = useConnection();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorCode | null>(null);

  async function fetchExport(): Promise<BoardExport | null> {
    setBusy(true);
    setError(null);
    const result = await connection.request('board:export', {}, { giveUpMs: EXPORT_GIVE_UP_MS });
    setBusy(false);
    if (!result.ok) {
      setError(result.error.code);
      return null;
    }
    return result.value;
  }

  return (
    <section className="panel" aria-labelledby="export-title">
      <h2 id="export-title">{t('export.title')}</h2>
      <p className="hint">{t('export.hint')}</p>
      <div className="row">
        <button
          type="button"
          className="button-small"
          disabled={busy}
          onClick={() =>
            void fetchExport().then((data) => {
              if (data) downloadText(exportFileName(data), toMarkdown(data, t, lang));
            })
          }
        >
          {t('export.markdown')}
        </button>
        <button
          type="button"
          className="button-small"
          disabled={busy}
          onClick={() => void fetchExport().then((data) => data && onPrint(data))}
        >
          {t('export.print')}
        </button>
      </div>
      {busy && (
        <p className="hint" role="status">
          {t('common.loading')}
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {t(`error.${error}`)}
        </p>
      )}
    </section>
  );
}
