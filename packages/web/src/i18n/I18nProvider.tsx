import { ConfigProvider, type ConfigProviderProps } from 'antd';
import enUSModule from 'antd/locale/en_US.js';
import zhCNModule from 'antd/locale/zh_CN.js';
import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from 'react';
import { en } from './en.ts';
import { type TranslateOf, translator } from './translate.ts';
import { type MessageKey, zh } from './zh.ts';

export type Language = 'zh-CN' | 'en';

// antd's locale files are CommonJS: the bundler hands over the locale, Node-style typing sees the module.
const interop = (module: unknown) => ((module as { default?: unknown }).default ?? module) as ConfigProviderProps['locale'];
const antdLocales = { 'zh-CN': interop(zhCNModule), en: interop(enUSModule) };

const STORAGE_KEY = 'pftis.language';
const dictionaries: Record<Language, Record<MessageKey, string>> = { 'zh-CN': zh, en };

export type Translate = TranslateOf<MessageKey>;

interface I18n {
  language: Language;
  setLanguage(language: Language): void;
  t: Translate;
}

const I18nContext = createContext<I18n | null>(null);

function storedLanguage(): Language {
  try {
    return localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'zh-CN';
  } catch {
    return 'zh-CN';
  }
}

export function I18nProvider({ children, initialLanguage }: { children: ReactNode; initialLanguage?: Language }) {
  const [language, setLanguageState] = useState<Language>(() => initialLanguage ?? storedLanguage());

  const setLanguage = useCallback((next: Language) => {
    setLanguageState(next);
    try {
      localStorage.setItem(STORAGE_KEY, next);
    } catch {
      // Private mode: the choice lasts for this page only.
    }
    document.documentElement.lang = next;
  }, []);

  const value = useMemo<I18n>(() => {
    return { language, setLanguage, t: translator(dictionaries[language]) };
  }, [language, setLanguage]);

  return (
    <I18nContext.Provider value={value}>
      <ConfigProvider locale={antdLocales[language]} theme={{ token: { colorPrimary: '#0e6e8c', borderRadius: 6 } }}>
        {children}
      </ConfigProvider>
    </I18nContext.Provider>
  );
}

export function useI18n(): I18n {
  const context = useContext(I18nContext);
  if (!context) throw new Error('useI18n outside I18nProvider');
  return context;
}

export function useT(): Translate {
  return useI18n().t;
}

/** Picks the English name of a server record when the interface is in English and one exists. */
export function useLocalName() {
  const { language } = useI18n();
  return (record: { name: string; nameEn?: string | null }) => (language === 'en' && record.nameEn ? record.nameEn : record.name);
}
