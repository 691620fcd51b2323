import { Link } from '../components/Link';
import { useT } from '../i18n';
import { paths } from '../router';

/**
 * Shown to everyone when the meeting ends; the device has already forgotten the meeting. The
 * room's screen gets the calm version: no invitation to start another meeting in front of the group.
 */
export function EndScreen({ room = false, inGroup = false }: { room?: boolean; inGroup?: boolean }) {
  const t = useT();
  return (
    <div className="end" data-testid="end-screen">
      <h1>{t('end.title')}</h1>
      {/* FOLLOW-6: "nothing is kept" is true without a group, and precise with one. */}
      <p data-testid="end-body">{t(room ? 'end.roomBody' : inGroup ? 'end.groupBody' : 'end.body')}</p>
      {!room && (
        <p>
          <Link className="button" href={paths.start()}>
            {t('end.newMeeting')}
          </Link>
        </p>
      )}
    </div>
  );
}
