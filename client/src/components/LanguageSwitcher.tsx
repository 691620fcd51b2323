import { LANGUAGE_NAMES, LANGUAGES, setLanguage, useLanguage, useT, type Language } from '../i18n';

export function LanguageSwitcher() {
  const t = useT();
  const lang = useLanguage();
  return (
    <label className="lang">
      <span className="visually-hidden">{t('lang.label')}</span>
      <select
        value={lang}
        onChange={(e) => void setLanguage(e.target.value as Language)}
        aria-label={t('lang.label')}
      >
        {LANGUAGES.map((l) => (
          <option key={l} value={l} lang={l}>
            {LANGUAGE_NAMES[l]}
          </option>
        ))}
      </select>
    </label>
  );
}
