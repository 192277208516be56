import { useTranslation } from "react-i18next";
import type { ImportSummary } from "./api";
import { baseName, formatDuration } from "./format";

/** What probe_audio found in the chosen files and folders, before anything is created. */
export function ImportSummaryView({ summary }: { summary: ImportSummary }) {
  const { t } = useTranslation();
  const formats = Object.entries(summary.formats)
    .map(([codec, count]) => `${codec} × ${count}`)
    .join(", ");

  return (
    <div className="import-summary" data-testid="import-summary">
      <dl className="facts">
        <div>
          <dt>{t("newExperiment.found")}</dt>
          <dd>{t("newExperiment.fileCount", { count: summary.count })}</dd>
        </div>
        <div>
          <dt>{t("newExperiment.totalDuration")}</dt>
          <dd>{formatDuration(summary.total_duration_s)}</dd>
        </div>
        <div>
          <dt>{t("newExperiment.formats")}</dt>
          <dd>{formats || "—"}</dd>
        </div>
      </dl>
      {summary.count === 0 && <p className="warning">{t("newExperiment.noAudio")}</p>}
      {summary.skipped.length > 0 && (
        <details open>
          <summary>{t("newExperiment.skipped", { count: summary.skipped.length })}</summary>
          <ul className="skipped-list">
            {summary.skipped.map((file) => (
              <li key={file.path} title={file.path}>
                <strong>{baseName(file.path)}</strong>: {file.reason}
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}
