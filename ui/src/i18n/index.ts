import i18n from "i18next";
import { initReactI18next } from "react-i18next";
import en from "./en.json";
import zhCN from "./zh-CN.json";

/** The UI languages the product ships. */
export const SUPPORTED_LANGUAGES = ["zh-CN", "en"] as const;

/** One of the UI languages. */
export type UiLanguage = (typeof SUPPORTED_LANGUAGES)[number];

/** Picks the UI language from the system locale: Chinese locales get zh-CN, others English. */
export function languageFromLocale(locale: string | undefined): UiLanguage {
  return locale?.toLowerCase().startsWith("zh") ? "zh-CN" : "en";
}

void i18n.use(initReactI18next).init({
  resources: { en: { translation: en }, "zh-CN": { translation: zhCN } },
  lng: languageFromLocale(typeof navigator === "undefined" ? undefined : navigator.language),
  fallbackLng: "en",
  interpolation: { escapeValue: false },
});

export default i18n;
