import { useTranslation } from "react-i18next";
import type { StageInfo } from "./bindings/StageInfo";
import { formatDuration } from "./format";
import type { StageProgress as Progress } from "./useExperimentLive";
import { useNow } from "./useNow";

/** A progress bar with step count, elapsed time and ETA; the same height in every state. */
export function StageProgress({ info, progress }: { info: StageInfo; progress: Progress | null }) {
  const { t } = useTranslation();
  const running = info.status === "running";
  const now = useNow(running);
  const start = info.started_at;
  const end = running ? now : (info.finished_at ?? now);
  const elapsed = start !== null ? Math.max(0, (end - start) / 1000) : null;
  const fraction =
    info.status === "completed"
      ? 1
      : (progress?.fraction ??
        (progress?.total ? progress.step / Math.max(1, progress.total) : null));
  const eta =
    running && elapsed !== null && fraction !== null && fraction > 0.01
      ? (elapsed * (1 - fraction)) / fraction
      : null;

  return (
    <div className="stage-progress" data-testid="stage-progress">
      <div
        className={`progress-bar${fraction === null && running ? " indeterminate" : ""}`}
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={fraction === null ? undefined : Math.round(fraction * 100)}
      >
        <div className="progress-fill" style={{ width: `${(fraction ?? 0) * 100}%` }} />
      </div>
      <div className="progress-facts">
        <span>{fraction !== null ? `${Math.round(fraction * 100)}%` : "—"}</span>
        <span>
          {progress
            ? t("progress.step", { step: progress.step, total: progress.total ?? "?" })
            : ""}
          {progress?.epoch != null ? ` · ${t("progress.epoch", { epoch: progress.epoch })}` : ""}
        </span>
        <span>
          {elapsed !== null ? t("progress.elapsed", { time: formatDuration(elapsed) }) : ""}
        </span>
        <span>{eta !== null ? t("progress.eta", { time: formatDuration(eta) }) : ""}</span>
      </div>
    </div>
  );
}
