import { useCallback, useEffect, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { ErrorBoundary } from "./ErrorBoundary";
import { ExperimentScreen } from "./ExperimentScreen";
import { ExperimentsScreen } from "./ExperimentsScreen";
import { SUPPORTED_LANGUAGES, type UiLanguage } from "./i18n";
import { NewExperimentScreen } from "./NewExperimentScreen";
import {
  defaultSettings,
  loadSettings,
  saveSettings,
  SettingsContext,
  type Settings,
} from "./settings";
import { SettingsScreen } from "./SettingsScreen";

/** Which screen the window shows. */
export type Screen =
  | { kind: "experiments" }
  | { kind: "new" }
  | { kind: "experiment"; id: string }
  | { kind: "settings" };

/** Settings loaded from the store, applied to the UI language and theme, saved on change. */
function useAppSettings() {
  const { i18n } = useTranslation();
  const [settings, setSettings] = useState<Settings>(defaultSettings);

  useEffect(() => {
    void loadSettings().then((loaded) => {
      setSettings(loaded);
      if (loaded.language !== i18n.language) void i18n.changeLanguage(loaded.language);
    });
  }, [i18n]);

  useEffect(() => {
    document.documentElement.dataset.theme = settings.theme;
  }, [settings.theme]);

  const update = useCallback(
    (patch: Partial<Settings>) => {
      setSettings((current) => ({ ...current, ...patch }));
      if (patch.language) void i18n.changeLanguage(patch.language);
      void saveSettings(patch).catch(() => undefined);
    },
    [i18n],
  );

  return useMemo(() => ({ settings, update }), [settings, update]);
}

/** The application shell: a header with the product name, navigation and the current screen. */
export function App() {
  const { t, i18n } = useTranslation();
  const [screen, setScreen] = useState<Screen>({ kind: "experiments" });
  const context = useAppSettings();

  return (
    <SettingsContext.Provider value={context}>
      <div className="app">
        <header className="app-header">
          <h1>{t("app.title")}</h1>
          <nav className="app-nav">
            <button
              type="button"
              className={screen.kind === "settings" ? "" : "active"}
              onClick={() => setScreen({ kind: "experiments" })}
            >
              {t("nav.experiments")}
            </button>
            <button
              type="button"
              className={screen.kind === "settings" ? "active" : ""}
              onClick={() => setScreen({ kind: "settings" })}
            >
              {t("nav.settings")}
            </button>
          </nav>
          <label className="language-picker">
            {t("settings.language")}
            <select
              value={i18n.language}
              onChange={(event) => context.update({ language: event.target.value as UiLanguage })}
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
          <ErrorBoundary key={screen.kind === "experiment" ? screen.id : screen.kind}>
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
            {screen.kind === "settings" && <SettingsScreen />}
          </ErrorBoundary>
        </main>
      </div>
    </SettingsContext.Provider>
  );
}
