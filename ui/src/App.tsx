import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ExperimentScreen } from "./ExperimentScreen";
import { ExperimentsScreen } from "./ExperimentsScreen";
import { NewExperimentScreen } from "./NewExperimentScreen";
import { SUPPORTED_LANGUAGES } from "./i18n";

/** Which screen the window shows. */
export type Screen =
  | { kind: "experiments" }
  | { kind: "new" }
  | { kind: "experiment"; id: string }
  | { kind: "settings" };

/** The application shell: a header with the product name, navigation and the current screen. */
export function App() {
  const { t, i18n } = useTranslation();
  const [screen, setScreen] = useState<Screen>({ kind: "experiments" });

  return (
    <div className="app">
      <header className="app-header">
        <h1>{t("app.title")}</h1>
        <nav className="app-nav">
          <button
            type="button"
            className={screen.kind === "experiments" ? "active" : ""}
            onClick={() => setScreen({ kind: "experiments" })}
          >
            {t("nav.experiments")}
          </button>
        </nav>
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
        {screen.kind === "experiments" && (
          <ExperimentsScreen
            onOpen={(id) => setScreen({ kind: "experiment", id })}
            onCreate={() => setScreen({ kind: "new" })}
          />
        )}
        {screen.kind === "experiment" && (
          <ExperimentScreen
            key={screen.id}
            id={screen.id}
            onBack={() => setScreen({ kind: "experiments" })}
          />
        )}
        {screen.kind === "new" && (
          <NewExperimentScreen
            onCreated={(id) => setScreen({ kind: "experiment", id })}
            onCancel={() => setScreen({ kind: "experiments" })}
          />
        )}
      </main>
    </div>
  );
}
