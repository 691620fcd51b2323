import { useState, type FormEvent } from 'react';
import { GROUP_LANGUAGES, type GroupLanguage, type GroupMode } from '../../../../shared/group/rules';
import type { CreatedGroup } from '../../../../shared/group/views';
import type { AnonymityMode } from '../../../../shared/meeting/state';
import { BUILT_IN_TEMPLATES, DEFAULT_TEMPLATE_ID } from '../../../../shared/meeting/templates';
import { CopyField } from '../../components/CopyField';
import { Page } from '../../components/Page';
import { useDocumentTitle } from '../../components/useDocumentTitle';
import type { ApiErrorCode } from '../../connection';
import { groupApi } from '../../connection/groupApi';
import { isMessageKey, LANGUAGE_NAMES, useLanguage, useT } from '../../i18n';
import { Choice } from '../../components/Choice';

/** GROUP-1: a leader creates a standing group and gets its links and the recovery code once. */
export default function GroupCreateScreen() {
  const t = useT();
  const lang = useLanguage();
  useDocumentTitle(t('group.create.title'));
  const [name, setName] = useState('');
  const [leaderName, setLeaderName] = useState('');
  const [language, setLanguage] = useState<GroupLanguage>(lang);
  const [mode, setMode] = useState<GroupMode>('in-room');
  const [anonymity, setAnonymity] = useState<AnonymityMode>('anonymous');
  const [templateId, setTemplateId] = useState(DEFAULT_TEMPLATE_ID);
  const [createKey, setCreateKey] = useState('');
  const [needsKey, setNeedsKey] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiErrorCode | null>(null);
  const [created, setCreated] = useState<CreatedGroup | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const template = BUILT_IN_TEMPLATES.find((tpl) => tpl.id === templateId) ?? BUILT_IN_TEMPLATES[0];
    if (!template) return;
    setBusy(true);
    setError(null);
    const planName = isMessageKey(template.nameKey) ? t(template.nameKey) : (template.name ?? template.id);
    const result = await groupApi.create(
      { name: name.trim(), language, mode, anonymity, plan: { name: planName, phases: template.phases } },
      leaderName.trim(),
      createKey.trim() || undefined,
    );
    setBusy(false);
    if (result.ok) return setCreated(result.value);
    if (result.code === 'forbidden') setNeedsKey(true);
    setError(result.code);
  }

  if (created) {
    return (
      <Page>
        <h1>{t('group.created.title')}</h1>
        <section className="recovery" aria-labelledby="recovery-title">
          <h2 id="recovery-title">{t('group.recovery.title')}</h2>
          <p>{t('group.recovery.hint')}</p>
          <p className="recovery-code" data-testid="recovery-code">
            {created.recoveryCode}
          </p>
          <button type="button" className="button" onClick={() => window.print()}>
            {t('group.recovery.print')}
          </button>
        </section>
        <CopyField
          label={t('group.leaderLink')}
          hint={t('group.leaderLinkHint')}
          value={created.leaderLink}
          tone="private"
        />
        <CopyField
          label={t('group.memberLink')}
          hint={t('group.memberLinkHint')}
          value={created.memberLink}
        />
        <p>
          {t('group.memberCode')}: <strong className="input-code">{created.memberCode}</strong>
        </p>
        <p>
          {/* A full load: the group page reads its token from the link's fragment. */}
          <a className="button button-primary" href={created.leaderLink}>
            {t('group.openPage')}
          </a>
        </p>
      </Page>
    );
  }

  return (
    <Page>
      <h1>{t('group.create.title')}</h1>
      <p className="lead-text">{t('group.create.intro')}</p>
      <form className="form" onSubmit={(e) => void submit(e)}>
        <label className="field">
          <span>{t('group.name')}</span>
          <input value={name} maxLength={120} required onChange={(e) => setName(e.target.value)} />
        </label>
        <label className="field">
          <span>{t('group.leaderName')}</span>
          <input
            value={leaderName}
            maxLength={60}
            required
            autoComplete="name"
            onChange={(e) => setLeaderName(e.target.value)}
          />
        </label>
        <label className="field">
          <span>{t('group.language')}</span>
          <select value={language} onChange={(e) => setLanguage(e.target.value as GroupLanguage)}>
            {GROUP_LANGUAGES.map((l) => (
              <option key={l} value={l}>
                {LANGUAGE_NAMES[l]}
              </option>
            ))}
          </select>
        </label>
        <Choice
          legend={t('group.mode')}
          name="mode"
          value={mode}
          onChange={setMode}
          options={[
            ['in-room', t('group.mode.in-room')],
            ['online', t('group.mode.online')],
            ['hybrid', t('group.mode.hybrid')],
          ]}
        />
        <Choice
          legend={t('start.anonymity')}
          name="anonymity"
          value={anonymity}
          onChange={setAnonymity}
          options={[
            ['anonymous', t('start.anonymity.anonymous')],
            ['named', t('start.anonymity.named')],
          ]}
        />
        <label className="field">
          <span>{t('group.plan')}</span>
          <select value={templateId} onChange={(e) => setTemplateId(e.target.value)}>
            {BUILT_IN_TEMPLATES.map((tpl) => (
              <option key={tpl.id} value={tpl.id}>
                {isMessageKey(tpl.nameKey) ? t(tpl.nameKey) : (tpl.name ?? tpl.id)}
              </option>
            ))}
          </select>
        </label>
        {needsKey && (
          <label className="field">
            <span>{t('start.createKey')}</span>
            <input value={createKey} onChange={(e) => setCreateKey(e.target.value)} autoComplete="off" />
          </label>
        )}
        {error && (
          <p className="error" role="alert">
            {t(error === 'forbidden' ? 'start.needsKey' : `error.${error}`)}
          </p>
        )}
        <button type="submit" className="button-primary" disabled={busy}>
          {t('group.create.submit')}
        </button>
      </form>
    </Page>
  );
}
