import { useTranslation } from "react-i18next";
import type { Experiment } from "./bindings/Experiment";
import { formatTime } from "./format";

/** The experiment list, with an empty state that says what to do next. */
export function ExperimentList({
  experiments,
  progress = {},
  onOpen,
  onDelete,
}: {
  experiments: Experiment[];
  /** Fraction done of the running stage, by experiment id. */
  progress?: Record<string, number | undefined>;
  onOpen?: (experiment: Experiment) => void;
  onDelete?: (experiment: Experiment) => void;
}) {
  const { t, i18n } = useTranslation();

  if (experiments.length === 0) {
    return (
      <div className="empty-state">
        <p className="empty-title">{t("experiments.empty")}</p>
        <p className="empty-hint">{t("experiments.emptyHint")}</p>
      </div>
    );
  }

  return (
    <table className="data-table">
      <thead>
        <tr>
          <th>{t("experiments.name")}</th>
          <th>{t("experiments.status")}</th>
          <th>{t("experiments.language")}</th>
          <th>{t("experiments.created")}</th>
          <th>{t("experiments.updated")}</th>
          <th aria-label={t("experiments.actions")} />
        </tr>
      </thead>
      <tbody>
        {experiments.map((experiment) => (
          <tr key={experiment.id}>
            <td>
              <button type="button" className="link-button" onClick={() => onOpen?.(experiment)}>
                {experiment.name}
              </button>
              {experiment.description && (
                <div className="muted small">{experiment.description}</div>
              )}
            </td>
            <td>
              <span className={`status-badge status-${experiment.status}`}>
                {t(`experimentStatus.${experiment.status}`)}
              </span>
              {progress[experiment.id] !== undefined && (
                <span className="inline-progress">
                  {Math.round((progress[experiment.id] ?? 0) * 100)}%
                </span>
              )}
            </td>
            <td>{t(`languages.${experiment.language}`)}</td>
            <td>{formatTime(experiment.created_at, i18n.language)}</td>
            <td>{formatTime(experiment.updated_at, i18n.language)}</td>
            <td className="actions">
              <button type="button" onClick={() => onOpen?.(experiment)}>
                {t("experiments.open")}
              </button>
              <button type="button" className="danger" onClick={() => onDelete?.(experiment)}>
                {t("common.delete")}
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
