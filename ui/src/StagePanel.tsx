import { lazy, Suspense, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, type SliceReport, type StageSchema } from "./api";
import type { ErrorPayload } from "./bindings/ErrorPayload";
import type { StageInfo } from "./bindings/StageInfo";
import { ClipsTable } from "./ClipsTable";
import { ErrorBoundary } from "./ErrorBoundary";
import { ErrorMessage } from "./ErrorMessage";
import { LogTail } from "./LogTail";
import { fieldErrors, initialValues, ParamForm, toParams, type FormValues } from "./ParamForm";
import { ResultSummary } from "./ResultSummary";
import { StageProgress } from "./StageProgress";
import { unmetNeeds } from "./stageGraph";
import type { LiveStage } from "./useExperimentLive";

/**
 * uPlot touches the window when it loads, so it loads only when a training chart is shown. It
 * also formats numbers with `navigator.language` at load, which throws for a POSIX locale such as
 * "C" (LANG=C); that case gets an English number format instead.
 */
const LossChart = lazy(() => {
  try {
    new Intl.NumberFormat(navigator.language);
  } catch {
    Object.defineProperty(navigator, "language", { value: "en-US", configurable: true });
  }
  return import("./LossChart").then((module) => ({ default: module.LossChart }));
});

function isSliceReport(value: unknown): value is SliceReport {
  return typeof value === "object" && value !== null && Array.isArray((value as SliceReport).clips);
}

/** The buttons that start, restart or cancel a stage, with why a start is not possible. */
function StageActions({
  info,
  stages,
  busy,
  onRun,
  onCancel,
}: {
  info: StageInfo;
  stages: StageInfo[];
  busy: boolean;
  onRun: () => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const going = info.status === "queued" || info.status === "running";
  const unmet = unmetNeeds(info, stages);
  const reason =
    unmet.length > 0
      ? t("stage.blockedBy", {
          stages: unmet
            .map((s) => `${t(`stages.${s.kind}`)} (${t(`stageStatus.${s.status}`)})`)
            .join(", "),
        })
      : undefined;

  return (
    <div className="stage-actions">
      {going ? (
        <button
          type="button"
          className="danger"
          onClick={onCancel}
          disabled={busy || info.cancel_requested}
        >
          {info.cancel_requested ? t("stagePanel.cancelling") : t("stagePanel.cancel")}
        </button>
      ) : (
        <button
          type="button"
          className="primary"
          onClick={onRun}
          disabled={busy || unmet.length > 0}
          title={reason}
        >
          {info.status === "completed" ? t("stagePanel.rerun") : t("stagePanel.run")}
        </button>
      )}
      {reason && !going && <span className="muted small">{reason}</span>}
    </div>
  );
}

/** The panel of one stage: parameters, actions, progress, log, result. */
export function StagePanel({
  experimentId,
  dir,
  info,
  stages,
  schema,
  live,
  onChanged,
}: {
  experimentId: string;
  dir: string;
  info: StageInfo;
  stages: StageInfo[];
  schema: StageSchema;
  live: LiveStage | undefined;
  onChanged: () => void;
}) {
  const { t } = useTranslation();
  const [values, setValues] = useState<FormValues>(() => initialValues(schema.params, info.params));
  const [error, setError] = useState<ErrorPayload | null>(null);
  const [busy, setBusy] = useState(false);
  const going = info.status === "queued" || info.status === "running";
  const currentLive = live && live.attempt >= info.attempt ? live : undefined;

  const act = (action: Promise<unknown>) => {
    setBusy(true);
    setError(null);
    action
      .then(onChanged)
      .catch((failure: ErrorPayload) => setError(failure))
      .finally(() => setBusy(false));
  };

  const errors = fieldErrors(error, t);
  return (
    <aside className="stage-panel" data-testid="stage-panel">
      <div className="stage-panel-heading">
        <h3>{t(`stages.${info.kind}`)}</h3>
        <span className={`status-badge status-${info.status}`}>
          {t(`stageStatus.${info.status}`)}
        </span>
        {info.attempt > 0 && (
          <span className="muted small">{t("stagePanel.attempt", { count: info.attempt })}</span>
        )}
      </div>
      <StageActions
        info={info}
        stages={stages}
        busy={busy}
        onRun={() =>
          act(api.executeStage(experimentId, info.kind, toParams(schema.params, values)))
        }
        onCancel={() => act(api.cancelStage(experimentId, info.kind))}
      />
      {error && Object.keys(errors).length === 0 && (
        <ErrorMessage error={error} onDismiss={() => setError(null)} />
      )}
      {(going || info.status === "completed") && (
        <StageProgress info={info} progress={currentLive?.progress ?? null} />
      )}
      {info.status === "failed" && info.error && <ErrorMessage error={info.error} />}
      <details
        className="panel-section"
        open={info.attempt === 0 || Object.keys(errors).length > 0}
      >
        <summary>{t("stagePanel.parameters")}</summary>
        <ParamForm
          schema={schema.params}
          values={values}
          errors={errors}
          disabled={going}
          onChange={setValues}
        />
      </details>
      {(info.kind === "sovits_train" || info.kind === "gpt_train") && info.attempt > 0 && (
        <section className="panel-section">
          <h3>{t("chart.heading")}</h3>
          <ErrorBoundary>
            <Suspense fallback={<div className="loss-chart" />}>
              <LossChart
                metrics={currentLive?.metrics ?? []}
                count={currentLive?.metrics.length ?? 0}
                checkpoints={currentLive?.checkpoints ?? []}
              />
            </Suspense>
          </ErrorBoundary>
        </section>
      )}
      {info.status === "completed" && info.result !== null && (
        <section className="panel-section">
          <h3>{t("stagePanel.result")}</h3>
          <ResultSummary result={info.result} />
          {isSliceReport(info.result) && <ClipsTable clips={info.result.clips} dir={dir} />}
        </section>
      )}
      <section className="panel-section">
        <h3>{t("stagePanel.log")}</h3>
        <LogTail lines={currentLive?.logs ?? []} />
      </section>
    </aside>
  );
}
