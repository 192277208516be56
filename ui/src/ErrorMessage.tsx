import { useTranslation } from "react-i18next";
import type { ErrorPayload } from "./bindings/ErrorPayload";

/** An engine error as a readable sentence in the UI language, with the engine's own words below. */
export function ErrorMessage({
  error,
  onDismiss,
}: {
  error: ErrorPayload;
  onDismiss?: () => void;
}) {
  const { t } = useTranslation();

  return (
    <div className="error-message" role="alert" data-code={error.code}>
      <div className="error-text">
        <strong>{t(`errors.${error.code}`, { defaultValue: t("errors.internal") })}</strong>
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
