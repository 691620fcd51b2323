import { Link } from '../components/Link';
import { Page } from '../components/Page';
import { useT, type MessageKey } from '../i18n';
import { paths } from '../router';
import { useDocumentTitle } from '../components/useDocumentTitle';
import { GroupPrivacy } from './group/GroupPrivacy';

function Paragraphs({ keys }: { keys: MessageKey[] }) {
  const t = useT();
  return (
    <>
      {keys.map((key) => (
        <p key={key}>{t(key)}</p>
      ))}
    </>
  );
}

function Items({ keys, ordered = false }: { keys: MessageKey[]; ordered?: boolean }) {
  const t = useT();
  const items = keys.map((key) => <li key={key}>{t(key)}</li>);
  return ordered ? <ol className="prose-list">{items}</ol> : <ul className="prose-list">{items}</ul>;
}

/**
 * AGPL-3.0 section 13: everyone who uses the server over the network is offered the source of
 * the version that runs. The build packs it as /source.tar.gz (scripts/build.mjs), so the link is
 * right for a modified server too; version, commit and a repository URL are fixed at build time
 * (vite.config.ts).
 */
function SourceOffer() {
  const t = useT();
  const version = __BALINT_COMMIT__ ? `${__BALINT_VERSION__} (${__BALINT_COMMIT__})` : __BALINT_VERSION__;
  return (
    <>
      <h2>{t('about.source.title')}</h2>
      <p data-testid="about-source">{t('about.source.body', { version })}</p>
      <ul className="prose-list">
        <li>
          <a href="/source.tar.gz" download>
            {t('about.source.download')}
          </a>
        </li>
        {__BALINT_SOURCE_URL__ && (
          <li>
            <a href={__BALINT_SOURCE_URL__} rel="noopener">
              {t('about.source.link')}
            </a>
          </li>
        )}
      </ul>
    </>
  );
}

/** For people new to the method: what a Balint group is, where it comes from, how a meeting runs. */
export function AboutScreen() {
  const t = useT();
  useDocumentTitle(t('title.about'));
  return (
    <Page>
      <article className="prose" data-testid="about">
        <h1>{t('about.title')}</h1>
        <h2>{t('about.what.title')}</h2>
        <Paragraphs keys={['about.what.body1', 'about.what.body2']} />
        <h2>{t('about.history.title')}</h2>
        <Paragraphs
          keys={[
            'about.history.budapest',
            'about.history.london',
            'about.history.drug',
            'about.history.today',
          ]}
        />
        <h2>{t('about.phases.title')}</h2>
        <p>{t('about.phases.intro')}</p>
        <Items
          ordered
          keys={[
            'about.phases.opening',
            'about.phases.caseChoice',
            'about.phases.presentation',
            'about.phases.questions',
            'about.phases.speculation',
            'about.phases.return',
            'about.phases.closing',
          ]}
        />
        <p>{t('about.phases.second')}</p>
        <h2>{t('about.rules.title')}</h2>
        <Items
          keys={[
            'about.rules.confidential',
            'about.rules.identifiers',
            'about.rules.advice',
            'about.rules.fantasies',
            'about.rules.protect',
            'about.rules.silence',
          ]}
        />
        <h2>{t('about.tool.title')}</h2>
        <Paragraphs keys={['about.tool.body1', 'about.tool.body2']} />
        <SourceOffer />
        <p>
          <Link className="button" href={paths.start()}>
            {t('nav.start')}
          </Link>{' '}
          <Link className="button" href={paths.privacy()}>
            {t('nav.privacy')}
          </Link>
        </p>
      </article>
    </Page>
  );
}

/** Plain language: what is stored, where, and for how long. */
export function PrivacyScreen() {
  const t = useT();
  useDocumentTitle(t('title.privacy'));
  return (
    <Page>
      <article className="prose" data-testid="privacy">
        <h1>{t('privacy.title')}</h1>
        <p className="lead-text">{t('privacy.intro')}</p>
        <h2>{t('privacy.what.title')}</h2>
        <Items
          keys={['privacy.what.meeting', 'privacy.what.seats', 'privacy.what.notes', 'privacy.what.secrets']}
        />
        <h2>{t('privacy.where.title')}</h2>
        <Paragraphs keys={['privacy.where.body', 'privacy.where.keys']} />
        <h2>{t('privacy.howLong.title')}</h2>
        <Items
          keys={[
            'privacy.howLong.end',
            'privacy.howLong.inactive',
            'privacy.howLong.logs',
            'privacy.howLong.export',
          ]}
        />
        <GroupPrivacy />
        <h2>{t('privacy.browser.title')}</h2>
        <Paragraphs keys={['privacy.browser.body1', 'privacy.browser.body2']} />
        <h2>{t('privacy.please.title')}</h2>
        <Paragraphs keys={['privacy.please.body']} />
      </article>
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
