import { useState } from 'react';
import { PendingSwitch } from './PendingSwitch';
import type { MeetingView } from '../../../../shared/meeting/view';
import { CopyField } from '../../components/CopyField';
import { loadJson, meetingKey } from '../../connection';
import { useT } from '../../i18n';
import { chimeEnabled, playChime, setChimeEnabled } from '../../meeting/chime';
import { PhoneLinks } from './PhoneLinks';
import type { RunCommand } from './useCommand';

/** Lock, auto-advance, timer visibility, the projector's blank, the chime on this device; join code and links. */
export function SettingsPanel({ view, run }: { view: MeetingView; run: RunCommand }) {
  const t = useT();
  const links = loadJson<{ projectorLink?: string }>(meetingKey('links', view.meetingId));
  const toggles: [string, boolean, (on: boolean) => Promise<boolean>][] = [
    [t('lead.locked'), view.locked, (on) => run({ type: 'settings:update', locked: on })],
    [t('lead.autoAdvance'), view.autoAdvance, (on) => run({ type: 'settings:update', autoAdvance: on })],
    [
      t('lead.timerEveryone'),
      view.timerVisibility === 'everyone',
      (on) => run({ type: 'settings:update', timerVisibility: on ? 'everyone' : 'leaders' }),
    ],
    // SCREEN-12: from across the room; stored, so the projector's reload keeps it blank.
    [
      t('lead.projectorBlank'),
      view.projectorBlank ?? false,
      (on) => run({ type: 'settings:update', projectorBlank: on }),
    ],
  ];
  const [chime, setChime] = useState(chimeEnabled);
  return (
    <section className="panel" aria-labelledby="settings-title">
      <h2 id="settings-title">{t('lead.settings')}</h2>
      <div className="join-code-box">
        <span>{t('lead.joinCode')}</span>
        <strong data-testid="join-code">{view.joinCode}</strong>
        <button
          type="button"
          className="button-small"
          onClick={() => {
            if (confirm(t('lead.rotateConfirm'))) void run({ type: 'joinCode:rotate' });
          }}
        >
          {t('lead.rotateCode')}
        </button>
      </div>
      {toggles.map(([label, on, set]) => (
        <PendingSwitch key={label} label={label} on={on} set={set} />
      ))}
      <label className="switch">
        <input
          type="checkbox"
          role="switch"
          checked={chime}
          onChange={(e) => {
            setChimeEnabled(e.target.checked);
            setChime(e.target.checked);
            // Let the leader hear how soft it is.
            if (e.target.checked) playChime();
          }}
          aria-describedby="chime-hint"
        />
        <span>{t('lead.chime')}</span>
      </label>
      <p className="hint" id="chime-hint">
        {t('lead.chimeHint')}
      </p>
      <p className="hint">
        {t(view.anonymity === 'anonymous' ? 'common.anonymousMode' : 'common.namedMode')}
      </p>
      <h3>{t('lead.links')}</h3>
      <PhoneLinks view={view} />
      {links?.projectorLink && (
        <CopyField
          label={t('start.projectorLink')}
          hint={t('start.projectorLinkHint')}
          value={links.projectorLink}
        />
      )}
    </section>
  );
}
