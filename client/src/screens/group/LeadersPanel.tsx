import { useState } from 'react';
import { managesLeaders } from '../../../../shared/group/rules';
import type { GroupLeaderView } from '../../../../shared/group/views';
import { CopyField } from '../../components/CopyField';
import { forgetGroupToken, groupApi } from '../../connection/groupApi';
import { navigate, paths } from '../../router';
import { useT } from '../../i18n';
import type { GroupAction } from './groupAction';

/** GROUP-2/3: the leaders, their links (devices), new co-leaders and links for another device. */
export function LeadersPanel({
  view,
  token,
  act,
}: {
  view: GroupLeaderView;
  token: string;
  act: GroupAction;
}) {
  const t = useT();
  const id = view.groupId;
  const [name, setName] = useState('');
  // A new link is shown once, here; the server keeps only its hash.
  const [fresh, setFresh] = useState<{ label: string; link: string } | null>(null);
  const manages = managesLeaders(view.you.rights);
  const me = view.leaders.find((l) => l.id === view.you.leaderId);
  const [accreditation, setAccreditation] = useState(me?.accreditation ?? '');
  return (
    <section className="panel" aria-labelledby="leaders-title">
      <h2 id="leaders-title">{t('group.leaders.title')}</h2>
      <ul className="plain-list" data-testid="group-leaders">
        {view.leaders.map((l) => (
          <li key={l.id}>
            <p className="row">
              <strong>{l.name}</strong>
              <span className="hint">{t(`group.rights.${l.rights}`)}</span>
              {view.you.rights === 'owner' && l.rights !== 'owner' && (
                <button
                  type="button"
                  className="button-small button-quiet"
                  onClick={() =>
                    void act((token) => groupApi.setManager(id, token, l.id, l.rights !== 'manager'))
                  }
                >
                  {l.rights === 'manager' ? t('group.leaders.unname') : t('group.leaders.name')}
                </button>
              )}
              {manages && l.rights !== 'owner' && l.id !== view.you.leaderId && (
                <button
                  type="button"
                  className="button-small button-danger"
                  onClick={() => void act((token) => groupApi.revokeLeader(id, token, l.id))}
                >
                  {t('group.leaders.revoke')}
                </button>
              )}
            </p>
            {(l.id === view.you.leaderId || manages) && (
              <ul className="plain-list">
                {l.links.map((k) => (
                  <li key={k.id} className="row">
                    <span className="hint">
                      {k.id === view.you.linkId ? t('group.leaders.thisDevice', { label: k.label }) : k.label}
                    </span>
                    {k.id !== view.you.linkId && (l.id === view.you.leaderId || l.rights !== 'owner') && (
                      <button
                        type="button"
                        className="button-small button-quiet"
                        onClick={() => void act((token) => groupApi.revokeLink(id, token, k.id))}
                      >
                        {t('group.leaders.revokeLink')}
                      </button>
                    )}
                  </li>
                ))}
              </ul>
            )}
          </li>
        ))}
      </ul>
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          void act((token) => groupApi.setAccreditation(id, token, accreditation.trim()));
        }}
      >
        <label className="field">
          <span>{t('group.leaders.accreditation')}</span>
          <input
            value={accreditation}
            maxLength={300}
            onChange={(e) => setAccreditation(e.target.value)}
            aria-describedby="accreditation-hint"
          />
          <small id="accreditation-hint" className="hint">
            {t('group.leaders.accreditationHint')}
          </small>
        </label>
        <button type="submit" className="button">
          {t('group.leaders.saveAccreditation')}
        </button>
      </form>
      {fresh && (
        <CopyField
          label={fresh.label}
          hint={t('group.leaders.shownOnce')}
          value={fresh.link}
          tone="private"
        />
      )}
      <p>
        <button
          type="button"
          className="button"
          onClick={() =>
            void act(async (token) => {
              const made = await groupApi.addDevice(id, token, t('group.leaders.deviceLabel'));
              if (made.ok) setFresh({ label: t('group.leaders.deviceLink'), link: made.value.leaderLink });
              return made;
            })
          }
        >
          {t('group.leaders.addDevice')}
        </button>
      </p>
      {manages && (
        <p>
          <button
            type="button"
            className="button-danger"
            onClick={() => {
              if (!window.confirm(t('group.delete.confirm', { name: view.settings.name }))) return;
              void groupApi.deleteGroup(id, token).then((done) => {
                if (done.ok) {
                  forgetGroupToken('leader', id);
                  navigate(paths.start(), { replace: true });
                }
              });
            }}
          >
            {t('group.delete.button')}
          </button>
        </p>
      )}
      {manages && (
        <form
          className="row"
          onSubmit={(e) => {
            e.preventDefault();
            void act(async (token) => {
              const made = await groupApi.addLeader(id, token, name.trim());
              if (made.ok) {
                setFresh({
                  label: t('group.leaders.coLeaderLink', { name: name.trim() }),
                  link: made.value.leaderLink,
                });
                setName('');
              }
              return made;
            });
          }}
        >
          <label className="field">
            <span>{t('group.leaders.coLeaderName')}</span>
            <input value={name} maxLength={60} required onChange={(e) => setName(e.target.value)} />
          </label>
          <button type="submit" className="button">
            {t('group.leaders.add')}
          </button>
        </form>
      )}
    </section>
  );
}
