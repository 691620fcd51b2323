import { useCallback, useEffect, useState } from 'react';
import { certificateLines, type CertificateData } from '../../../../shared/group/certificate';
import { Page } from '../../components/Page';
import { useDocumentTitle } from '../../components/useDocumentTitle';
import { groupApi, loadGroupToken } from '../../connection/groupApi';
import { useLanguage, useT } from '../../i18n';

/**
 * CERT-1/4: the printable certificate (A4) in the page's language, and the same as a PDF made on
 * the server. A member opens their own; a leader opens a member's from the group page.
 */
export default function CertificateScreen({ groupId }: { groupId: string }) {
  const t = useT();
  const lang = useLanguage();
  useDocumentTitle(t('group.cert.title'));
  const member = new URLSearchParams(location.search).get('member');
  const token = member ? loadGroupToken('leader', groupId) : loadGroupToken('member', groupId);
  const [place, setPlace] = useState('');
  const [data, setData] = useState<CertificateData | null>(null);
  const [failed, setFailed] = useState(false);
  const query = useCallback(() => {
    const q = new URLSearchParams({ lang, tz: Intl.DateTimeFormat().resolvedOptions().timeZone });
    if (member) q.set('member', member);
    if (place.trim()) q.set('place', place.trim());
    return q.toString();
  }, [lang, member, place]);

  useEffect(() => {
    if (!token) return;
    let live = true;
    void groupApi.certificate(groupId, token, query()).then((r) => {
      if (!live) return;
      setFailed(!r.ok);
      if (r.ok) setData(r.value);
    });
    return () => {
      live = false;
    };
  }, [groupId, token, query]);

  async function downloadPdf() {
    if (!token) return;
    const blob = await groupApi.certificatePdf(groupId, token, query());
    if (!blob) return setFailed(true);
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = 'certificate.pdf';
    a.click();
    URL.revokeObjectURL(url);
  }

  if (!token || failed)
    return (
      <Page>
        <p className="error" role="alert">
          {t('group.cert.unavailable')}
        </p>
      </Page>
    );
  if (!data)
    return (
      <Page>
        <p className="loading" role="status">
          {t('common.loading')}
        </p>
      </Page>
    );
  const lines = certificateLines(data);
  return (
    <Page>
      <div className="no-print form">
        <label className="field">
          <span>{t('group.cert.place')}</span>
          <input value={place} maxLength={80} onChange={(e) => setPlace(e.target.value)} />
        </label>
        <p className="row">
          <button type="button" className="button-primary" onClick={() => window.print()}>
            {t('group.recovery.print')}
          </button>
          <button type="button" className="button" onClick={() => void downloadPdf()}>
            {t('group.cert.pdf')}
          </button>
        </p>
        <p className="hint">{t('group.att.proof')}</p>
      </div>
      <article className="certificate" data-testid="certificate" lang={data.lang}>
        <h1>{lines.title}</h1>
        <p>{lines.intro}</p>
        <table>
          <thead>
            <tr>
              {lines.head.map((h) => (
                <th key={h} scope="col">
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {lines.rows.map((r, i) => (
              <tr key={i}>
                {r.map((c, j) => (
                  <td key={j}>{c}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
        <p className="certificate-totals">{lines.totals}</p>
        <p className="hint">{lines.unit}</p>
        <h2>{lines.leadersTitle}</h2>
        {lines.leaders.map((l) => (
          <p key={l}>{l}</p>
        ))}
        <p className="certificate-place">{lines.placeDate}</p>
        <p className="certificate-signature">{lines.signature}</p>
      </article>
    </Page>
  );
}
