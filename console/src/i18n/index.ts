/**
 * The console's languages and the `t()` that reads them. The language is the
 * person's choice (remembered in localStorage: a preference, never data) or
 * the browser's; dates and money follow the browser's locale when it is in
 * that language (`uk-UA`, `en-GB`), else the language itself.
 */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { en, type MessageKey, type Messages } from './en.js';
import { ru } from './ru.js';
import { uk } from './uk.js';

export const LANGUAGES = { en: 'English', uk: 'Українська', ru: 'Русский' } as const;
export type Lang = keyof typeof LANGUAGES;
const MESSAGES: Record<Lang, Messages> = { en, uk, ru };
const STORAGE_KEY = 'omnihub.language';

const isLang = (value: unknown): value is Lang => typeof value === 'string' && value in LANGUAGES;

/** The remembered choice, else the first browser language we speak, else English. */
export const initialLanguage = (): Lang => {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    if (isLang(stored)) return stored;
  } catch {
    // Storage may be disabled; the browser's languages still decide.
  }
  for (const tag of navigator.languages ?? [navigator.language]) {
    const base = tag.slice(0, 2).toLowerCase();
    if (isLang(base)) return base;
  }
  return 'en';
};

export const rememberLanguage = (lang: Lang): void => {
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // Not remembered; it still applies to this page.
  }
};

/** `uk-UA` when the browser says so, else `uk`: the locale dates and money are written in. */
export const localeFor = (lang: Lang): string =>
  (navigator.languages ?? [navigator.language]).find((tag) => tag.toLowerCase().startsWith(lang)) ?? lang;

export type Params = Readonly<Record<string, string | number>>;

export interface I18n {
  readonly lang: Lang;
  readonly locale: string;
  /** The message for `key` with `{name}` placeholders filled; plurals use `params.count`. */
  t(key: MessageKey, params?: Params): string;
  /** A label from an open set (`channel.<x>`, `event.<x>`): the key itself when there is no translation. */
  label(prefix: 'channel' | 'event' | 'identity' | 'trait', value: string): string;
}

export const createI18n = (lang: Lang): I18n => {
  const messages = MESSAGES[lang];
  const locale = localeFor(lang);
  const plurals = new Intl.PluralRules(locale);
  const fill = (text: string, params: Params = {}): string =>
    text.replace(/\{(\w+)\}/g, (whole, name: string) =>
      name in params
        ? String(name === 'count' ? new Intl.NumberFormat(locale).format(Number(params[name])) : params[name])
        : whole,
    );
  const t = (key: MessageKey, params?: Params): string => {
    const message = messages[key] ?? en[key];
    if (typeof message === 'string') return fill(message, params);
    const form = plurals.select(Number(params?.count ?? 0)) as 'one' | 'few' | 'many' | 'other';
    return fill(message[form] ?? message.other, params);
  };
  const label: I18n['label'] = (prefix, value) => {
    const key = `${prefix}.${value}`;
    return key in messages ? t(key as MessageKey) : value;
  };
  return { lang, locale, t, label };
};

export const I18nContext = createContext<I18n>(createI18n('en'));
export const useI18n = (): I18n => useContext(I18nContext);
