import { useEffect, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, type EngineSchema } from "./api";
import type { ErrorPayload } from "./bindings/ErrorPayload";
import type { StageKind } from "./bindings/StageKind";
import { ErrorMessage } from "./ErrorMessage";
import { StageGraph } from "./StageGraph";
import { StagePanel } from "./StagePanel";
import { useExperimentLive } from "./useExperimentLive";
import { nextRemaining, useRunAll } from "./useRunAll";

/** The engine's schema, read once per screen. */
function useEngineSchema() {
  const [schema, setSchema] = useState<EngineSchema | null>(null);
  const [error, setError] = useState<ErrorPayload | null>(null);
  useEffect(() => {
    api.engineSchema().then(setSchema).catch(setError);
  }, []);
  return { schema, error };
}

/** The Experiment screen: the stage graph, and the panel of the selected stage. */
export function ExperimentScreen({ id, onBack }: { id: string; onBack: () => void }) {
  const { t } = useTranslation();
  const { schema, error: schemaError } = useEngineSchema();
  const { detail, error, deleted, live, reload, loadHistory } = useExperimentLive(id);
  const [selected, setSelected] = useState<StageKind | null>(null);
  const runAll = useRunAll(id, detail, reload);
  const remaining = detail ? nextRemaining(detail) : null;

  const fractions = useMemo(() => {
    const result: Partial<Record<StageKind, number | null>> = {};
    for (const [kind, stage] of Object.entries(live)) {
      result[kind as StageKind] = stage.progress?.fraction ?? null;
    }
    return result;
  }, [live]);

  useEffect(() => {
    if (selected) loadHistory(selected);
  }, [selected, loadHistory]);

  const shownError = error ?? schemaError;
  const info = detail?.stages.find((stage) => stage.kind === selected);
  const stageSchema = schema?.stages.find((stage) => stage.kind === selected);

  return (
    <section className="experiment-screen">
      <div className="screen-heading">
        <div>
          <button type="button" className="link-button" onClick={onBack}>
            ← {t("nav.experiments")}
          </button>
          <h2>{detail?.experiment.name ?? t("common.loading")}</h2>
          {detail && (
            <span className="muted small">
              {t(`languages.${detail.experiment.language}`)} · {detail.experiment.device} ·{" "}
              {detail.experiment.dir}
            </span>
          )}
        </div>
        <div className="toolbar">
          {runAll.active ? (
            <button type="button" onClick={runAll.stop}>
              {t("experiment.stopRunAll")}
            </button>
          ) : (
            <button
              type="button"
              className="primary"
              onClick={runAll.start}
              disabled={remaining === null}
              title={remaining === null ? t("experiment.nothingRemaining") : undefined}
            >
              {t("experiment.runAll")}
            </button>
          )}
        </div>
      </div>
      {runAll.error && <ErrorMessage error={runAll.error} onDismiss={runAll.clearError} />}
      {deleted && <p className="warning">{t("experiment.deleted")}</p>}
      {shownError && <ErrorMessage error={shownError} />}
      {detail && schema && (
        <div className="experiment-body">
          <div className="graph-column">
            <StageGraph
              schema={schema.stages}
              stages={detail.stages}
              fractions={fractions}
              selected={selected}
              onSelect={setSelected}
            />
            {!selected && <p className="muted">{t("experiment.selectHint")}</p>}
          </div>
          {info && stageSchema && (
            <StagePanel
              key={`${info.kind}`}
              experimentId={detail.experiment.id}
              dir={detail.experiment.dir}
              info={info}
              stages={detail.stages}
              schema={stageSchema}
              live={live[info.kind]}
              onChanged={reload}
            />
          )}
        </div>
      )}
    </section>
  );
}
