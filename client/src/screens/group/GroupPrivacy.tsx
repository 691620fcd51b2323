import { GROUP_STORAGE } from '../../../../shared/group/storage';
import { useT } from '../../i18n';

/** GROUP-13: the Privacy page's part on groups, made from the storage declaration. */
export function GroupPrivacy() {
  const t = useT();
  return (
    <section data-testid="privacy-groups">
      <h2>{t('privacy.group.title')}</h2>
      <p>{t('privacy.group.intro')}</p>
      <ul className="prose-list">
        {GROUP_STORAGE.map((d) => (
          <li key={d.table} data-table={d.table}>
            <strong>{t(`privacy.group.table.${d.table}`)}</strong> {t(`privacy.group.kept.${d.kept}`)}{' '}
            <code className="hint">
              {d.table}: {d.columns.join(', ')}
            </code>
          </li>
        ))}
      </ul>
    </section>
  );
}
