import { useTranslation } from "react-i18next";
import { ExperimentList } from "./ExperimentList";
import { SUPPORTED_LANGUAGES } from "./i18n";

/** The application shell: a header with the product name and the current screen. */
export function App() {
  const { t, i18n } = useTranslation();

  return (
    <div className="app">
      <header className="app-header">
        <h1>{t("app.title")}</h1>
        <label className="language-picker">
          {t("settings.language")}
          <select
            value={i18n.language}
            onChange={(event) => void i18n.changeLanguage(event.target.value)}
          >
            {SUPPORTED_LANGUAGES.map((language) => (
              <option key={language} value={language}>
                {language === "zh-CN" ? "简体中文" : "English"}
              </option>
            ))}
          </select>
        </label>
      </header>
      <main>
        <ExperimentList experiments={[]} />
      </main>
    </div>
  );
}
