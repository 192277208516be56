import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, type ImportSummary } from "./api";
import type { ErrorPayload } from "./bindings/ErrorPayload";
import type { Language } from "./bindings/Language";
import { DropZone } from "./DropZone";
import { ErrorMessage } from "./ErrorMessage";
import { ImportSummaryView } from "./ImportSummaryView";
import { useSettings } from "./settings";

const LANGUAGES: Language[] = ["zh", "en", "ja", "ko", "yue", "auto"];

/** The devices a stage can run on, from libtorch's report; the CPU always. */
function useDevices(): string[] {
  const [devices, setDevices] = useState<string[]>(["cpu"]);
  useEffect(() => {
    api
      .torchReport()
      .then((report) => {
        const cuda = report.cuda_available
          ? report.cuda_devices.map((device) => `cuda:${device.index}`)
          : [];
        setDevices([...cuda, "cpu"]);
      })
      .catch(() => setDevices(["cpu"]));
  }, []);
  return devices;
}

/** What probe_audio says about the current sources; answers for older sources are ignored. */
function useImportSummary(sources: string[]) {
  const [answer, setAnswer] = useState<{
    sources: string[];
    summary: ImportSummary | null;
    error: ErrorPayload | null;
  } | null>(null);

  useEffect(() => {
    if (sources.length === 0) return;
    api
      .probeAudio(sources)
      .then((summary) => setAnswer({ sources, summary, error: null }))
      .catch((error: ErrorPayload) => setAnswer({ sources, summary: null, error }));
  }, [sources]);

  const current = answer !== null && answer.sources === sources;
  return {
    summary: current ? answer.summary : null,
    error: current ? answer.error : null,
    probing: sources.length > 0 && !current,
  };
}

/** The New experiment screen: name, language, description and recordings, checked before creating. */
export function NewExperimentScreen({
  onCreated,
  onCancel,
}: {
  onCreated: (id: string) => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const { settings } = useSettings();
  const [name, setName] = useState("");
  const [language, setLanguage] = useState<Language>("zh");
  const [description, setDescription] = useState("");
  const [sources, setSources] = useState<string[]>([]);
  const devices = useDevices();
  const [device, setDevice] = useState<string | null>(null);
  const probe = useImportSummary(sources);
  const [createError, setCreateError] = useState<ErrorPayload | null>(null);
  const [creating, setCreating] = useState(false);

  const preferred = devices.includes(settings.device) ? settings.device : undefined;
  const chosenDevice = device ?? preferred ?? devices[0] ?? "cpu";
  const ready = name.trim().length > 0 && (probe.summary?.count ?? 0) > 0 && !probe.probing;

  const create = () => {
    setCreating(true);
    api
      .createExperiment({
        name: name.trim(),
        description,
        language,
        model_version: "v2",
        base_models: settings.models,
        device: chosenDevice,
        sources,
      })
      .then((detail) => onCreated(detail.experiment.id))
      .catch((failure: ErrorPayload) => setCreateError(failure))
      .finally(() => setCreating(false));
  };

  return (
    <section className="new-experiment">
      <div className="screen-heading">
        <h2>{t("newExperiment.heading")}</h2>
      </div>
      <form
        className="form-grid"
        onSubmit={(event) => {
          event.preventDefault();
          if (ready) create();
        }}
      >
        <label>
          <span>{t("newExperiment.name")}</span>
          <input
            value={name}
            maxLength={64}
            required
            placeholder={t("newExperiment.namePlaceholder")}
            onChange={(event) => setName(event.target.value)}
          />
        </label>
        <label>
          <span>{t("newExperiment.language")}</span>
          <select
            value={language}
            onChange={(event) => setLanguage(event.target.value as Language)}
          >
            {LANGUAGES.map((code) => (
              <option key={code} value={code}>
                {t(`languages.${code}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>{t("newExperiment.device")}</span>
          <select value={chosenDevice} onChange={(event) => setDevice(event.target.value)}>
            {devices.map((option) => (
              <option key={option} value={option}>
                {option === "cpu" ? t("newExperiment.cpu") : option}
              </option>
            ))}
          </select>
        </label>
        <label className="wide">
          <span>{t("newExperiment.description")}</span>
          <textarea
            rows={2}
            value={description}
            onChange={(event) => setDescription(event.target.value)}
          />
        </label>
        <div className="wide">
          <span className="field-label">{t("newExperiment.recordings")}</span>
          <DropZone paths={sources} onChange={setSources} />
          {probe.probing && <p className="muted">{t("newExperiment.probing")}</p>}
          {probe.error && <ErrorMessage error={probe.error} />}
          {probe.summary && <ImportSummaryView summary={probe.summary} />}
        </div>
        {createError && (
          <div className="wide">
            <ErrorMessage error={createError} onDismiss={() => setCreateError(null)} />
          </div>
        )}
        <div className="wide form-actions">
          {!ready && !probe.probing && (
            <span className="muted small form-hint">{t("newExperiment.needed")}</span>
          )}
          <button type="button" onClick={onCancel}>
            {t("common.cancel")}
          </button>
          <button type="submit" className="primary" disabled={!ready || creating}>
            {t("newExperiment.create")}
          </button>
        </div>
      </form>
    </section>
  );
}
