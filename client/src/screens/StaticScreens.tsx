import { Link } from '../components/Link';
import { Page } from '../components/Page';
import { useT } from '../i18n';
import { paths } from '../router';

export function AboutScreen() {
  const t = useT();
  return (
    <Page>
      <h1>{t('about.title')}</h1>
      <p>{t('about.body1')}</p>
      <p>{t('about.body2')}</p>
      <p>{t('about.body3')}</p>
      <p>
        <Link className="button" href={paths.start()}>
          {t('nav.start')}
        </Link>
      </p>
    </Page>
  );
}

export function PrivacyScreen() {
  const t = useT();
  return (
    <Page>
      <h1>{t('privacy.title')}</h1>
      <p>{t('privacy.body1')}</p>
      <p>{t('privacy.body2')}</p>
      <p>{t('privacy.body3')}</p>
    </Page>
  );
}

export function NotFoundScreen() {
  const t = useT();
  return (
    <Page>
      <h1>{t('notFound.title')}</h1>
      <p>
        <Link href={paths.start()}>{t('nav.start')}</Link> · <Link href={paths.join()}>{t('nav.join')}</Link>
      </p>
    </Page>
  );
}
