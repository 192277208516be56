import { createContext, useContext } from "react";
import { invoke } from "@tauri-apps/api/core";
import { load, type Store } from "@tauri-apps/plugin-store";
import type { BaseModels } from "./bindings/BaseModels";
import i18n, { SUPPORTED_LANGUAGES, type UiLanguage } from "./i18n";

/** What the person chose in Settings, kept in the Tauri store file `settings.json`. */
export interface Settings {
  language: UiLanguage;
  theme: "light" | "dark";
  /** Device new experiments run on (`cpu`, `cuda:0`, ...); empty picks the first GPU, else the CPU. */
  device: string;
  /** Pretrained model paths new experiments start from. */
  models: BaseModels;
}

/** The store file, in the engine's data folder (where `gsv doctor` reads the model paths). */
export const SETTINGS_FILE = "settings.json";

export function defaultSettings(): Settings {
  return {
    // i18n starts from the system locale; a stored choice overrides it.
    language: SUPPORTED_LANGUAGES.find((language) => language === i18n.language) ?? "en",
    theme:
      typeof window !== "undefined" && window.matchMedia?.("(prefers-color-scheme: dark)").matches
        ? "dark"
        : "light",
    device: "",
    models: {},
  };
}

let store: Promise<Store> | null = null;

function settingsStore(): Promise<Store> {
  store ??= invoke<string>("data_dir").then((dataDir) =>
    load(`${dataDir}/${SETTINGS_FILE}`, { autoSave: 200, defaults: {} }),
  );
  return store;
}

/** Reads the stored settings over the defaults; the defaults alone where there is no store. */
export async function loadSettings(): Promise<Settings> {
  const defaults = defaultSettings();
  try {
    const saved = await settingsStore();
    const [language, theme, device, models] = await Promise.all([
      saved.get<UiLanguage>("language"),
      saved.get<Settings["theme"]>("theme"),
      saved.get<string>("device"),
      saved.get<BaseModels>("models"),
    ]);
    return {
      language: language ?? defaults.language,
      theme: theme ?? defaults.theme,
      device: device ?? defaults.device,
      models: models ?? defaults.models,
    };
  } catch {
    return defaults;
  }
}

/** Writes the settings that changed. */
export async function saveSettings(patch: Partial<Settings>): Promise<void> {
  const saved = await settingsStore();
  for (const [key, value] of Object.entries(patch)) {
    await saved.set(key, value);
  }
  await saved.save();
}

/** The settings and a way to change them, for any screen. */
export const SettingsContext = createContext<{
  settings: Settings;
  update: (patch: Partial<Settings>) => void;
}>({ settings: defaultSettings(), update: () => undefined });

export function useSettings() {
  return useContext(SettingsContext);
}
