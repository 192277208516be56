import { useTranslation } from "react-i18next";
import type { ErrorPayload } from "./bindings/ErrorPayload";

/** For `dependency_unmet`: the stages still missing, named in the UI language. */
function missingStages(error: ErrorPayload, t: (key: string) => string): string | null {
  const details = error.details;
  if (error.code !== "dependency_unmet" || !details || typeof details !== "object") return null;
  if (Array.isArray(details) || !Array.isArray(details.missing)) return null;
  const named = details.missing.flatMap((entry) => {
    if (!entry || typeof entry !== "object" || Array.isArray(entry)) return [];
    const { stage, status } = entry;
    if (typeof stage !== "string" || typeof status !== "string") return [];
    return [`${t(`stages.${stage}`)} (${t(`stageStatus.${status}`)})`];
  });
  return named.length > 0 ? named.join(", ") : null;
}

/** An engine error as a readable sentence in the UI language, with the engine's own words below. */
export function ErrorMessage({
  error,
  onDismiss,
}: {
  error: ErrorPayload;
  onDismiss?: () => void;
}) {
  const { t } = useTranslation();
  const missing = missingStages(error, t);

  return (
    <div className="error-message" role="alert" data-code={error.code}>
      <div className="error-text">
        <strong>{t(`errors.${error.code}`, { defaultValue: t("errors.internal") })}</strong>
        {missing && <span>{t("stage.blockedBy", { stages: missing })}</span>}
        {error.message && <span className="error-detail">{error.message}</span>}
      </div>
      {onDismiss && (
        <button type="button" className="link-button" onClick={onDismiss}>
          {t("common.dismiss")}
        </button>
      )}
    </div>
  );
}
