import { MEETING_FORMATS, type MeetingFormat } from '../../../shared/spoken/state';
import { Choice } from '../components/Choice';
import { useEffect, useState, type FormEvent } from 'react';
import type { Template } from '../../../shared/meeting/templates';
import type { AnonymityMode, ReleaseMode, TimerVisibility } from '../../../shared/meeting/state';
import { BUILT_IN_TEMPLATES, DEFAULT_TEMPLATE_ID } from '../../../shared/meeting/templates';
import { CopyField } from '../components/CopyField';
import { Link } from '../components/Link';
import { Page } from '../components/Page';
import { paths } from '../router';
import { api, meetingKey, saveJson, type ApiErrorCode, type CreatedMeeting } from '../connection';
import { isMessageKey, useT, type Translate } from '../i18n';
import { deletePlan, loadPlans, type SavedPlan } from '../meeting/savedPlans';
import { joinLinkFor } from '../meeting/joinOrigin';
import { useDocumentTitle } from '../components/useDocumentTitle';

export function templateName(template: Template, t: Translate): string {
  if (isMessageKey(template.nameKey)) return t(template.nameKey);
  return template.name ?? t('template.custom');
}

function totalMinutes(template: Pick<Template, 'phases'>): number {
  return template.phases.reduce((sum, p) => sum + p.minutes, 0);
}

/** Saved plans share the select with built-in ones; their values carry this prefix. */
const SAVED = 'saved:';

/** Where the leader console finds the links again (the projector key is not in its view). */
export const linksKey = (meetingId: string) => meetingKey('links', meetingId);

export default function StartScreen() {
  const t = useT();
  useDocumentTitle(t('title.start'));
  const [templates, setTemplates] = useState<readonly Template[]>(BUILT_IN_TEMPLATES);
  const [title, setTitle] = useState('');
  const [leaderName, setLeaderName] = useState('');
  const [templateId, setTemplateId] = useState(DEFAULT_TEMPLATE_ID);
  const [plans, setPlans] = useState<SavedPlan[]>(loadPlans);
  const [createKey, setCreateKey] = useState('');
  const [needsKey, setNeedsKey] = useState(false);
  const [anonymity, setAnonymity] = useState<AnonymityMode>('anonymous');
  const [release, setRelease] = useState<ReleaseMode>('batch');
  const [timerVisibility, setTimerVisibility] = useState<TimerVisibility>('leaders');
  const [format, setFormat] = useState<MeetingFormat>('room');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiErrorCode | null>(null);
  const [created, setCreated] = useState<CreatedMeeting | null>(null);

  useEffect(() => {
    let live = true;
    void api.templates().then((r) => {
      if (live && r.ok && r.value.templates.length > 0) setTemplates(r.value.templates);
    });
    return () => {
      live = false;
    };
  }, []);

  const savedPlan = templateId.startsWith(SAVED) ? plans.find((p) => SAVED + p.id === templateId) : undefined;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const result = await api.createMeeting(
      {
        title: title.trim() || undefined,
        leaderName: leaderName.trim() || undefined,
        ...(savedPlan
          ? { template: { name: savedPlan.name, phases: savedPlan.phases } }
          : { templateId: templateId.startsWith(SAVED) ? DEFAULT_TEMPLATE_ID : templateId }),
        anonymity,
        release,
        timerVisibility,
        format,
      },
      createKey.trim() || undefined,
    );
    setBusy(false);
    if (!result.ok) {
      // A server with a create key refuses without it: ask for it, calmly.
      if (result.code === 'forbidden') setNeedsKey(true);
      return setError(result.code);
    }
    // On the laptop's own localhost the server's join link names localhost: phones need another.
    const joinLink = joinLinkFor(result.value.phoneOrigins, result.value.joinCode);
    saveJson(linksKey(result.value.meetingId), { joinLink, projectorLink: result.value.projectorLink });
    setCreated({ ...result.value, joinLink });
  }

  if (created) {
    return (
      <Page>
        <h1>{t('start.created')}</h1>
        <div className="join-code-box">
          <span>{t('start.joinCode')}</span>
          <strong data-testid="created-join-code">{created.joinCode}</strong>
        </div>
        <CopyField
          label={t('start.leaderLink')}
          hint={t('start.leaderLinkHint')}
          value={created.leaderLink}
          tone="private"
        />
        <CopyField label={t('start.joinLink')} hint={t('start.joinLinkHint')} value={created.joinLink} />
        <CopyField
          label={t('start.projectorLink')}
          hint={t('start.projectorLinkHint')}
          value={created.projectorLink}
        />
        <p>
          {/* A full load: the console reads its token from the link's fragment like any leader link. */}
          <a className="button button-primary" href={created.leaderLink}>
            {t('start.openConsole')}
          </a>
        </p>
      </Page>
    );
  }

  return (
    <Page>
      <h1>{t('start.title')}</h1>
      <p className="lead-text">{t('start.intro')}</p>
      <p>
        <Link href={paths.about()} data-testid="about-link">
          {t('about.link')}
        </Link>
        <Link href={paths.groupNew()}>{t('start.groupLink')}</Link>
      </p>
      <form className="form" onSubmit={(e) => void submit(e)}>
        <label className="field">
          <span>{t('start.meetingTitle')}</span>
          <input
            value={title}
            maxLength={120}
            placeholder={t('start.meetingTitlePlaceholder')}
            onChange={(e) => setTitle(e.target.value)}
          />
        </label>
        <label className="field">
          <span>{t('start.leaderName')}</span>
          <input
            value={leaderName}
            maxLength={60}
            autoComplete="name"
            onChange={(e) => setLeaderName(e.target.value)}
          />
        </label>
        <label className="field">
          <span>{t('start.template')}</span>
          <select value={templateId} onChange={(e) => setTemplateId(e.target.value)}>
            <optgroup label={t('start.builtInPlans')}>
              {templates.map((tpl) => (
                <option key={tpl.id} value={tpl.id}>
                  {t('start.templateMinutes', { name: templateName(tpl, t), n: totalMinutes(tpl) })}
                </option>
              ))}
            </optgroup>
            {plans.length > 0 && (
              <optgroup label={t('start.savedPlans')}>
                {plans.map((plan) => (
                  <option key={plan.id} value={SAVED + plan.id}>
                    {t('start.templateMinutes', { name: plan.name, n: totalMinutes(plan) })}
                  </option>
                ))}
              </optgroup>
            )}
          </select>
        </label>
        {savedPlan && (
          <p className="row saved-plan-row">
            <span className="hint">{t('start.savedPlanHint')}</span>
            <button
              type="button"
              className="button-small button-quiet"
              onClick={() => {
                deletePlan(savedPlan.id);
                setPlans(loadPlans());
                setTemplateId(DEFAULT_TEMPLATE_ID);
              }}
            >
              {t('start.deletePlan', { name: savedPlan.name })}
            </button>
          </p>
        )}
        <Choice
          legend={t('format.label')}
          name="format"
          value={format}
          onChange={setFormat}
          options={MEETING_FORMATS.map((f) => [f, t(`format.${f}`)] as [MeetingFormat, string])}
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
        <Choice
          legend={t('start.release')}
          name="release"
          value={release}
          onChange={setRelease}
          options={[
            ['batch', t('start.release.batch')],
            ['screening', t('start.release.screening')],
          ]}
        />
        <Choice
          legend={t('start.timerVisibility')}
          name="timerVisibility"
          value={timerVisibility}
          onChange={setTimerVisibility}
          options={[
            ['leaders', t('start.timerVisibility.leaders')],
            ['everyone', t('start.timerVisibility.everyone')],
          ]}
        />
        {needsKey && (
          <label className="field">
            <span>{t('start.createKey')}</span>
            <input
              value={createKey}
              onChange={(e) => setCreateKey(e.target.value)}
              autoComplete="off"
              aria-describedby="create-key-hint"
            />
            <small id="create-key-hint" className="hint">
              {t('start.createKeyHint')}
            </small>
          </label>
        )}
        {error && (
          <p className="error" role="alert">
            {t(error === 'forbidden' ? 'start.needsKey' : `error.${error}`)}
          </p>
        )}
        <button type="submit" className="button-primary" disabled={busy}>
          {busy ? t('start.creating') : t('start.create')}
        </button>
      </form>
    </Page>
  );
}
