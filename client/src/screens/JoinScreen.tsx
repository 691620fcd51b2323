import { useState, type FormEvent } from 'react';
import { Link } from '../components/Link';
import { Page } from '../components/Page';
import { api, saveSeat, type ApiErrorCode } from '../connection';
import { useT } from '../i18n';
import { navigate, paths, readFragment } from '../router';
import { useDocumentTitle } from '../components/useDocumentTitle';

export default function JoinScreen() {
  const t = useT();
  useDocumentTitle(t('title.join'));
  const [code, setCode] = useState(() => readFragment('code') ?? '');
  const [name, setName] = useState('');
  const [observer, setObserver] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiErrorCode | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const result = await api.join(code.trim(), name.trim(), observer ? 'observer' : 'participant');
    setBusy(false);
    if (!result.ok) return setError(result.code);
    saveSeat(result.value.meetingId, { seatId: result.value.seatId, token: result.value.token });
    navigate(paths.seat(result.value.meetingId), { replace: true });
  }

  return (
    <Page>
      <h1>{t('join.title')}</h1>
      <p>
        <Link href={paths.about()} data-testid="about-link">
          {t('about.link')}
        </Link>
      </p>
      <form className="form" onSubmit={(e) => void submit(e)}>
        <label className="field">
          <span>{t('join.code')}</span>
          <input
            className="input-code"
            value={code}
            onChange={(e) => setCode(e.target.value)}
            autoCapitalize="characters"
            autoComplete="off"
            spellCheck={false}
            required
            maxLength={40}
            aria-describedby="join-code-hint"
          />
          <small id="join-code-hint" className="hint">
            {t('join.codeHint')}
          </small>
        </label>
        <label className="field">
          <span>{t('join.name')}</span>
          <input
            value={name}
            onChange={(e) => setName(e.target.value)}
            autoComplete="name"
            required
            maxLength={60}
            autoFocus={code !== ''}
          />
        </label>
        <label className="checkbox">
          <input type="checkbox" checked={observer} onChange={(e) => setObserver(e.target.checked)} />
          <span>{t('join.asObserver')}</span>
        </label>
        {error && (
          <p className="error" role="alert">
            {t(`error.${error}`)}
          </p>
        )}
        <button type="submit" className="button-primary button-big" disabled={busy}>
          {busy ? t('join.joining') : t('join.submit')}
        </button>
      </form>
    </Page>
  );
}
