/** The language switch: English, Ukrainian, Russian, each named in itself. */
import { useContext } from 'preact/hooks';
import { LANGUAGES, type Lang, useI18n } from '../i18n/index.js';
import { createContext } from 'preact';

export const SetLanguageContext = createContext<(lang: Lang) => void>(() => undefined);

export const LanguageSwitch = () => {
  const { t, lang } = useI18n();
  const setLanguage = useContext(SetLanguageContext);
  return (
    <label class="lang">
      <select
        aria-label={t('nav.language')}
        value={lang}
        onChange={(e) => setLanguage((e.target as HTMLSelectElement).value as Lang)}
      >
        {(Object.entries(LANGUAGES) as [Lang, string][]).map(([code, name]) => (
          <option key={code} value={code} lang={code}>
            {name}
          </option>
        ))}
      </select>
    </label>
  );
};
