import { useSyncExternalStore } from 'react';
import { en, type Catalogue, type MessageKey } from './en';

export type { MessageKey } from './en';
export const LANGUAGES = ['en', 'de', 'el'] as const;
export type Language = (typeof LANGUAGES)[number];
/** Each language names itself, so the switcher reads right whatever language is on. */
export const LANGUAGE_NAMES: Record<Language, string> = { en: 'English', de: 'Deutsch', el: 'Ελληνικά' };

const STORAGE_KEY = 'balint.lang';
export type Params = Record<string, string | number>;
export type Translate = (key: MessageKey, params?: Params) => string;

/** English ships with the app; the others load on demand so a phone downloads one language. */
const loaders: Record<Exclude<Language, 'en'>, () => Promise<Catalogue>> = {
  de: () => import('./de').then((m) => m.de),
  el: () => import('./el').then((m) => m.el),
};
const loaded = new Map<Language, Catalogue>([['en', en]]);
const listeners = new Set<() => void>();
let current: Language = 'en';
let translate: Translate = makeTranslate(en);

function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

function readStored(): Language | null {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    return isLanguage(stored) ? stored : null;
  } catch {
    return null;
  }
}

/** The device's remembered choice, else the browser's first supported language, else English. */
export function preferredLanguage(): Language {
  const stored = readStored();
  if (stored) return stored;
  for (const tag of navigator.languages ?? [navigator.language]) {
    const base = tag.slice(0, 2).toLowerCase();
    if (isLanguage(base)) return base;
  }
  return 'en';
}

export function interpolate(template: string, params?: Params): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

function makeTranslate(catalogue: Catalogue): Translate {
  return (key, params) => interpolate(catalogue[key] ?? en[key], params);
}

async function load(lang: Language): Promise<Catalogue> {
  const have = loaded.get(lang);
  if (have) return have;
  const catalogue = lang === 'en' ? en : await loaders[lang]();
  loaded.set(lang, catalogue);
  return catalogue;
}

/** Switches the language for this device; remembered in localStorage. */
export async function setLanguage(lang: Language): Promise<void> {
  const catalogue = await load(lang);
  current = lang;
  translate = makeTranslate(catalogue);
  document.documentElement.lang = lang;
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // Private mode may refuse storage; the choice then lasts for this page only.
  }
  for (const l of listeners) l();
}

/** Loads the preferred catalogue before the first render, so no screen flashes in English. */
export async function initI18n(): Promise<void> {
  const lang = preferredLanguage();
  try {
    const catalogue = await load(lang);
    current = lang;
    translate = makeTranslate(catalogue);
  } catch {
    current = 'en';
  }
  document.documentElement.lang = current;
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useLanguage(): Language {
  return useSyncExternalStore(subscribe, () => current);
}

/** `const t = useT(); t('start.title')`: re-renders when the language changes. */
export function useT(): Translate {
  return useSyncExternalStore(subscribe, () => translate);
}

/** For keys that arrive as data (a template's `nameKey`): only known keys are translated. */
export function isMessageKey(key: string | undefined): key is MessageKey {
  return key !== undefined && Object.prototype.hasOwnProperty.call(en, key);
}
