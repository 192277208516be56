import { useTranslation } from "react-i18next";
import type { JsonValue } from "./bindings/serde_json/JsonValue";

/** The scalar facts of a stage's result summary as a list; nested data is left to its own view. */
export function ResultSummary({ result }: { result: JsonValue }) {
  const { t } = useTranslation();
  if (result === null || typeof result !== "object" || Array.isArray(result)) return null;
  const facts = Object.entries(result).filter(
    ([, value]) => value !== null && value !== undefined && typeof value !== "object",
  );
  if (facts.length === 0) return null;

  return (
    <dl className="facts result-summary">
      {facts.map(([name, value]) => (
        <div key={name}>
          <dt>{t(`result.${name}`, { defaultValue: name })}</dt>
          <dd>
            {typeof value === "number" && !Number.isInteger(value)
              ? value.toFixed(1)
              : String(value)}
          </dd>
        </div>
      ))}
    </dl>
  );
}
