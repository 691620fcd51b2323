import { useConnectionStatus } from '../connection';
import { useT } from '../i18n';
import { paths } from '../router';
import { Link } from './Link';

/** Says so, calmly, when the connection is not there; says nothing when all is well. */
export function ConnectionBanner() {
  const t = useT();
  const status = useConnectionStatus();
  switch (status) {
    case 'online':
    case 'ended':
      return null;
    case 'connecting':
      return (
        <p className="banner banner-quiet" role="status">
          {t('conn.connecting')}
        </p>
      );
    case 'offline':
      return (
        <p className="banner banner-warn" role="status" data-testid="offline-banner">
          {t('conn.offline')}
        </p>
      );
    case 'outdated':
      return (
        <div className="banner banner-warn" role="alert">
          <p>{t('conn.outdated')}</p>
          <button type="button" onClick={() => location.reload()}>
            {t('common.reload')}
          </button>
        </div>
      );
    case 'unauthenticated':
    case 'removed':
      return (
        <div className="banner banner-warn" role="alert">
          <p>{t(status === 'removed' ? 'conn.removed' : 'conn.unauthenticated')}</p>
          <Link className="button" href={paths.join()}>
            {t('conn.joinAgain')}
          </Link>
        </div>
      );
  }
}

/** A small dot and word for the header. */
export function ConnectionDot() {
  const t = useT();
  const status = useConnectionStatus();
  const online = status === 'online';
  return (
    <span
      className={`conn-dot ${online ? 'is-online' : 'is-offline'}`}
      data-testid="connection-status"
      data-status={status}
    >
      {online ? t('conn.online') : status === 'connecting' ? t('conn.connecting') : ''}
    </span>
  );
}
