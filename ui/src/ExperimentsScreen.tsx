import { useCallback, useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, onEngineEvent, subscribe } from "./api";
import type { ErrorPayload } from "./bindings/ErrorPayload";
import type { Experiment } from "./bindings/Experiment";
import type { ExperimentPage } from "./bindings/ExperimentPage";
import type { ExperimentStatus } from "./bindings/ExperimentStatus";
import { ConfirmDialog } from "./ConfirmDialog";
import { ErrorMessage } from "./ErrorMessage";
import { ExperimentList } from "./ExperimentList";

const PAGE_SIZE = 20;
const STATUSES: ExperimentStatus[] = ["pending", "in_progress", "running", "completed", "failed"];

/** The Experiments screen: the list from the engine, filtered by status and paged. */
export function ExperimentsScreen({
  onOpen,
  onCreate,
}: {
  onOpen: (id: string) => void;
  onCreate: () => void;
}) {
  const { t } = useTranslation();
  const [status, setStatus] = useState<ExperimentStatus | "">("");
  const [offset, setOffset] = useState(0);
  const [page, setPage] = useState<ExperimentPage | null>(null);
  const [error, setError] = useState<ErrorPayload | null>(null);
  const [toDelete, setToDelete] = useState<Experiment | null>(null);
  const [deleting, setDeleting] = useState(false);
  const [progress, setProgress] = useState<Record<string, number | undefined>>({});
  const progressRef = useRef(progress);
  useEffect(() => {
    progressRef.current = progress;
  }, [progress]);
  const reloadTimer = useRef<number | undefined>(undefined);
  const pendingProgress = useRef<Record<string, number | undefined> | null>(null);

  // Progress reaches the list at most 5 times a second, however fast stages report.
  useEffect(() => {
    const timer = window.setInterval(() => {
      const next = pendingProgress.current;
      if (next === null) return;
      pendingProgress.current = null;
      setProgress(next);
    }, 200);
    return () => window.clearInterval(timer);
  }, []);

  const load = useCallback(() => {
    api
      .listExperiments({ status: status || undefined, limit: PAGE_SIZE, offset })
      .then((result) => {
        setPage(result);
        setError(null);
      })
      .catch((failure: ErrorPayload) => setError(failure));
  }, [status, offset]);

  useEffect(load, [load]);

  useEffect(
    () =>
      subscribe(() =>
        onEngineEvent((event) => {
          const base = pendingProgress.current ?? progressRef.current;
          if (event.type === "progress" && event.fraction !== null) {
            pendingProgress.current = { ...base, [event.experiment_id]: event.fraction };
          } else if (event.type !== "log" && event.type !== "metric" && event.type !== "progress") {
            if (event.type !== "status" || event.status !== "running") {
              pendingProgress.current = { ...base, [event.experiment_id]: undefined };
            }
            window.clearTimeout(reloadTimer.current);
            reloadTimer.current = window.setTimeout(load, 250);
          }
        }),
      ),
    [load],
  );

  const confirmDelete = () => {
    if (!toDelete) return;
    setDeleting(true);
    api
      .deleteExperiment(toDelete.id)
      .then(() => load())
      .catch((failure: ErrorPayload) => setError(failure))
      .finally(() => {
        setDeleting(false);
        setToDelete(null);
      });
  };

  const total = page?.total ?? 0;
  return (
    <section className="experiment-list" data-testid="experiment-list">
      <div className="screen-heading">
        <h2>{t("experiments.heading")}</h2>
        <div className="toolbar">
          <label>
            {t("experiments.filter")}
            <select
              value={status}
              onChange={(event) => {
                setStatus(event.target.value as ExperimentStatus | "");
                setOffset(0);
              }}
            >
              <option value="">{t("experiments.allStatuses")}</option>
              {STATUSES.map((value) => (
                <option key={value} value={value}>
                  {t(`experimentStatus.${value}`)}
                </option>
              ))}
            </select>
          </label>
          <button type="button" className="primary" onClick={onCreate}>
            {t("experiments.new")}
          </button>
        </div>
      </div>
      {error && <ErrorMessage error={error} onDismiss={() => setError(null)} />}
      <ExperimentList
        experiments={page?.items ?? []}
        progress={progress}
        onOpen={(experiment) => onOpen(experiment.id)}
        onDelete={setToDelete}
      />
      {total > PAGE_SIZE && (
        <div className="pager">
          <button
            type="button"
            disabled={offset === 0}
            onClick={() => setOffset(Math.max(0, offset - PAGE_SIZE))}
          >
            {t("experiments.previous")}
          </button>
          <span>
            {t("experiments.range", {
              from: offset + 1,
              to: Math.min(offset + PAGE_SIZE, total),
              total,
            })}
          </span>
          <button
            type="button"
            disabled={offset + PAGE_SIZE >= total}
            onClick={() => setOffset(offset + PAGE_SIZE)}
          >
            {t("experiments.next")}
          </button>
        </div>
      )}
      {toDelete && (
        <ConfirmDialog
          title={t("experiments.deleteTitle", { name: toDelete.name })}
          body={t("experiments.deleteBody", { name: toDelete.name })}
          confirmLabel={t("common.delete")}
          busy={deleting}
          onConfirm={confirmDelete}
          onCancel={() => setToDelete(null)}
        />
      )}
    </section>
  );
}
