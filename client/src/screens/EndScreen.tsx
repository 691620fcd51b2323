import { Link } from '../components/Link';
import { useT } from '../i18n';
import { paths } from '../router';

/** Shown to everyone when the meeting ends; the device has already forgotten the meeting. */
export function EndScreen() {
  const t = useT();
  return (
    <div className="end" data-testid="end-screen">
      <h1>{t('end.title')}</h1>
      <p>{t('end.body')}</p>
      <p>
        <Link className="button" href={paths.start()}>
          {t('end.newMeeting')}
        </Link>
      </p>
    </div>
  );
}
