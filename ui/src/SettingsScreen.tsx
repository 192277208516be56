import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, type TorchReport } from "./api";
import type { BaseModels } from "./bindings/BaseModels";
import { SUPPORTED_LANGUAGES, type UiLanguage } from "./i18n";
import { useSettings } from "./settings";

const MODEL_KEYS: (keyof BaseModels)[] = [
  "sovits_g",
  "sovits_d",
  "gpt",
  "hubert",
  "bert",
  "whisper",
];

/** The device choices: the first GPU by default, each CUDA device, the CPU. */
function DeviceSelect({ value, onChange }: { value: string; onChange: (value: string) => void }) {
  const { t } = useTranslation();
  const [report, setReport] = useState<TorchReport | null>(null);
  useEffect(() => {
    api
      .torchReport()
      .then(setReport)
      .catch(() => setReport(null));
  }, []);
  const cuda = report?.cuda_available ? report.cuda_devices : [];

  return (
    <select id="settings-device" value={value} onChange={(event) => onChange(event.target.value)}>
      <option value="">{t("settings.deviceAuto")}</option>
      {cuda.map((device) => (
        <option key={device.index} value={`cuda:${device.index}`}>
          cuda:{device.index}
          {device.name ? ` — ${device.name}` : ""}
        </option>
      ))}
      <option value="cpu">{t("newExperiment.cpu")}</option>
    </select>
  );
}

/**
 * Settings: UI language, theme, device and pretrained model paths, kept in `settings.json`.
 *
 * Limitation: paths are typed or pasted (no file dialog plugin yet), and they are checked by the
 * engine only when a stage uses them; there is no engine command to inspect a model file yet.
 */
export function SettingsScreen() {
  const { t, i18n } = useTranslation();
  const { settings, update } = useSettings();
  const [models, setModels] = useState<BaseModels>(settings.models);

  const saveModels = () => {
    const cleaned: BaseModels = {};
    for (const key of MODEL_KEYS) {
      const value = models[key]?.trim();
      if (value) cleaned[key] = value;
    }
    update({ models: cleaned });
  };

  return (
    <section className="settings-screen">
      <div className="screen-heading">
        <h2>{t("nav.settings")}</h2>
      </div>
      <div className="form-grid">
        <label>
          <span>{t("settings.language")}</span>
          <select
            value={i18n.language}
            onChange={(event) => update({ language: event.target.value as UiLanguage })}
          >
            {SUPPORTED_LANGUAGES.map((language) => (
              <option key={language} value={language}>
                {language === "zh-CN" ? "简体中文" : "English"}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>{t("settings.theme")}</span>
          <select
            value={settings.theme}
            onChange={(event) => update({ theme: event.target.value as "light" | "dark" })}
          >
            <option value="light">{t("settings.light")}</option>
            <option value="dark">{t("settings.dark")}</option>
          </select>
        </label>
        <label>
          <span>{t("settings.device")}</span>
          <DeviceSelect value={settings.device} onChange={(device) => update({ device })} />
        </label>
        <div className="wide">
          <h3>{t("settings.models")}</h3>
          <p className="muted small">{t("settings.modelsHint")}</p>
          <div className="model-paths">
            {MODEL_KEYS.map((key) => (
              <label key={key}>
                <span>{t(`settings.model.${key}`)}</span>
                <input
                  value={models[key] ?? ""}
                  placeholder={t(`settings.modelPlaceholder.${key}`)}
                  onChange={(event) => setModels({ ...models, [key]: event.target.value })}
                  onBlur={saveModels}
                />
              </label>
            ))}
          </div>
        </div>
      </div>
    </section>
  );
}
