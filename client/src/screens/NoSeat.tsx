import { Link } from '../components/Link';
import { Page } from '../components/Page';
import { useT, type MessageKey } from '../i18n';
import { paths } from '../router';

/** This device holds no (valid) seat for the meeting: offer to join. */
export function NoSeat({ message = 'conn.noSeat' }: { message?: MessageKey }) {
  const t = useT();
  return (
    <Page>
      <p className="notice" role="alert">
        {t(message)}
      </p>
      <p>
        <Link className="button button-primary" href={paths.join()}>
          {t('conn.joinAgain')}
        </Link>
      </p>
    </Page>
  );
}
