import { useCallback, useState } from 'react';
import { call } from '../../connection/api';
import { formatDateTime } from '../../meeting/format';
import { useLanguage, useT } from '../../i18n';
import { usePolled } from './usePolled';

interface Debrief {
  id: string;
  meetingAt: number;
  text: string;
  version: number;
}

const base = (groupId: string) => `/api/groups/${encodeURIComponent(groupId)}/debriefs`;
const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

/** DEBRIEF-n: the leaders' private page per meeting; a save that crossed another keeps both texts. */
export function DebriefPanel({ groupId, token }: { groupId: string; token: string }) {
  const t = useT();
  const load = useCallback(
    () => call<{ debriefs: Debrief[] }>('GET', base(groupId), undefined, auth(token)),
    [groupId, token],
  );
  const { result, reload } = usePolled(load);
  const pages = result?.ok ? result.value.debriefs : [];
  if (pages.length === 0) return null;
  return (
    <section className="panel" aria-labelledby="debrief-title">
      <h2 id="debrief-title">{t('group.debrief.title')}</h2>
      <p className="hint">{t('group.debrief.hint')}</p>
      {pages.map((p) => (
        <DebriefPage key={p.id} page={p} groupId={groupId} token={token} onSaved={() => void reload()} />
      ))}
    </section>
  );
}

function DebriefPage({
  page,
  groupId,
  token,
  onSaved,
}: {
  page: Debrief;
  groupId: string;
  token: string;
  onSaved: () => void;
}) {
  const t = useT();
  const lang = useLanguage();
  const [text, setText] = useState(page.text);
  const [version, setVersion] = useState(page.version);
  const [status, setStatus] = useState<'saved' | 'conflict' | null>(null);
  const title = t('group.debrief.meeting', { when: formatDateTime(page.meetingAt, lang) });

  async function save() {
    const res = await fetch(`${base(groupId)}/${encodeURIComponent(page.id)}`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json', ...auth(token) },
      body: JSON.stringify({ text, baseVersion: version }),
    });
    if (res.ok) {
      setVersion(version + 1);
      setStatus('saved');
      return onSaved();
    }
    if (res.status === 409) {
      const body = (await res.json()) as { current?: Debrief };
      // Nothing is lost: theirs first, then this leader's own text, to merge by hand.
      if (body.current) {
        setText(`${body.current.text}\n\n${text}`);
        setVersion(body.current.version);
      }
      setStatus('conflict');
    }
  }

  function exportMarkdown() {
    const url = URL.createObjectURL(new Blob([`# ${title}\n\n${text}\n`], { type: 'text/markdown' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = 'debrief.md';
    a.click();
    URL.revokeObjectURL(url);
  }

  return (
    <form
      className="session"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <label className="field">
        <span>{title}</span>
        <textarea value={text} rows={5} maxLength={20_000} onChange={(e) => setText(e.target.value)} />
      </label>
      {status === 'conflict' && (
        <p className="notice" role="alert">
          {t('group.debrief.conflict')}
        </p>
      )}
      {status === 'saved' && <p role="status">{t('group.debrief.saved')}</p>}
      <p className="row">
        <button type="submit" className="button">
          {t('group.debrief.save')}
        </button>
        <button type="button" className="button-quiet" onClick={exportMarkdown}>
          {t('group.debrief.export')}
        </button>
        <button
          type="button"
          className="button-quiet"
          onClick={() =>
            void call(
              'DELETE',
              `${base(groupId)}/${encodeURIComponent(page.id)}`,
              undefined,
              auth(token),
            ).then(onSaved)
          }
        >
          {t('group.debrief.delete')}
        </button>
      </p>
    </form>
  );
}
