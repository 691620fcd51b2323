import type { MeetingView } from '../../../../shared/meeting/view';
import { CopyField } from '../../components/CopyField';
import { QrCode } from '../../components/QrCode';
import { useT } from '../../i18n';
import { useJoinOrigin } from '../../meeting/joinOrigin';

/**
 * The join link and its QR code as phones in the room can open them. With several network
 * addresses the leader picks the room's one; this device (and its projector window) keeps it.
 */
export function PhoneLinks({ view }: { view: MeetingView }) {
  const t = useT();
  const { origin, choices, choose, unreachable } = useJoinOrigin(view);
  if (!view.joinCode) return null;
  const joinLink = `${origin}/join#code=${encodeURIComponent(view.joinCode)}`;
  return (
    <div className="phone-links">
      {choices.length > 1 && (
        <fieldset className="choice">
          <legend>{t('lead.phoneAddress')}</legend>
          <p className="hint">{t('lead.phoneAddressHint')}</p>
          {choices.map((c) => (
            <label key={c} className="radio">
              <input type="radio" name="phone-origin" checked={c === origin} onChange={() => choose(c)} />
              <span>{c.replace(/^https?:\/\//, '')}</span>
            </label>
          ))}
        </fieldset>
      )}
      {unreachable && (
        <p className="hint" role="note">
          {t('lead.loopbackHint')}
        </p>
      )}
      <CopyField label={t('start.joinLink')} value={joinLink} />
      <details className="phone-qr">
        <summary>{t('lead.showQr')}</summary>
        <QrCode text={joinLink} label={t('projector.joinAt', { url: joinLink })} size={220} />
      </details>
    </div>
  );
}
