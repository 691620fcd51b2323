import type { ReactNode } from 'react';
import { LiveRegion } from '../a11y/announcer';
import { useT } from '../i18n';
import { paths } from '../router';
import { LanguageSwitcher } from './LanguageSwitcher';
import { Link } from './Link';

/** The frame of every screen but the projector: a quiet header, the content, a small footer. */
export function Page({
  children,
  wide = false,
  status,
}: {
  children: ReactNode;
  wide?: boolean;
  /** Something to show in the header's middle, e.g. the connection state. */
  status?: ReactNode;
}) {
  const t = useT();
  return (
    <>
      <a className="skip" href="#main">
        {t('nav.skip')}
      </a>
      <header className="top">
        <Link href={paths.start()} className="brand">
          {t('app.name')}
        </Link>
        <div className="top-status">{status}</div>
        <LanguageSwitcher />
      </header>
      <main id="main" className={wide ? 'main wide' : 'main'}>
        {children}
      </main>
      <LiveRegion />
      <footer className="foot">
        <Link href={paths.join()}>{t('nav.join')}</Link>
        <Link href={paths.about()}>{t('nav.about')}</Link>
        <Link href={paths.privacy()}>{t('nav.privacy')}</Link>
      </footer>
    </>
  );
}
