import { useTranslation } from "react-i18next";
import type { FieldSchema, ParamsSchema } from "./api";
import type { ErrorPayload } from "./bindings/ErrorPayload";
import type { JsonValue } from "./bindings/serde_json/JsonValue";

/** Form values as edited: numbers as typed text, booleans as booleans. */
export type FormValues = Record<string, string | boolean>;

/** Starting values: the parameters of the last run where there are some, the schema's defaults otherwise. */
export function initialValues(schema: ParamsSchema, last: JsonValue | null): FormValues {
  const previous = last !== null && typeof last === "object" && !Array.isArray(last) ? last : {};
  const values: FormValues = {};
  for (const [name, field] of Object.entries(schema.properties)) {
    const value = previous[name] ?? field.default;
    values[name] = typeof value === "boolean" ? value : String(value);
  }
  return values;
}

/** The values as the engine takes them; empty number fields are left out (the engine's default). */
export function toParams(schema: ParamsSchema, values: FormValues): Record<string, JsonValue> {
  const params: Record<string, JsonValue> = {};
  for (const [name, field] of Object.entries(schema.properties)) {
    const value = values[name];
    if (value === undefined) continue;
    if (field.type === "boolean") params[name] = value === true;
    else if (field.type === "string") params[name] = String(value);
    else if (String(value).trim() !== "") params[name] = Number(value);
  }
  return params;
}

/** Per-field messages from an engine `invalid_params` error, in the UI language where possible. */
export function fieldErrors(
  error: ErrorPayload | null,
  t: (key: string, options?: Record<string, unknown>) => string,
): Record<string, string> {
  if (!error || error.code !== "invalid_params") return {};
  const details = error.details;
  if (details === null || typeof details !== "object" || Array.isArray(details)) return {};
  const field = details.field;
  if (typeof field !== "string") return {};
  const { min, max, choices } = details;
  let message = error.message.startsWith(`${field}: `)
    ? error.message.slice(field.length + 2)
    : error.message;
  if (typeof min === "number" && typeof max === "number") {
    message = t("paramForm.outOfRange", { min, max });
  } else if (Array.isArray(choices)) {
    message = t("paramForm.notAChoice", { choices: choices.join(", ") });
  }
  return { [field]: message };
}

function rangeText(field: FieldSchema): string {
  const unit = field["x-unit"] ? ` ${field["x-unit"]}` : "";
  if (field.minimum !== undefined && field.maximum !== undefined) {
    return `${field.minimum} – ${field.maximum}${unit}`;
  }
  return unit.trim();
}

function FieldInput({
  name,
  field,
  value,
  disabled,
  onChange,
}: {
  name: string;
  field: FieldSchema;
  value: string | boolean;
  disabled: boolean;
  onChange: (value: string | boolean) => void;
}) {
  if (field.type === "boolean") {
    return (
      <input
        id={`param-${name}`}
        type="checkbox"
        checked={value === true}
        disabled={disabled}
        onChange={(event) => onChange(event.target.checked)}
      />
    );
  }
  if (field.enum) {
    return (
      <select
        id={`param-${name}`}
        value={String(value)}
        disabled={disabled}
        onChange={(event) => onChange(event.target.value)}
      >
        {field.enum.map((choice) => (
          <option key={choice} value={choice}>
            {choice}
          </option>
        ))}
      </select>
    );
  }
  const numeric = field.type === "integer" || field.type === "number";
  return (
    <input
      id={`param-${name}`}
      type={numeric ? "number" : "text"}
      value={String(value)}
      min={field.minimum}
      max={field.maximum}
      step={field.type === "integer" ? 1 : "any"}
      maxLength={field.maxLength}
      disabled={disabled}
      onChange={(event) => onChange(event.target.value)}
    />
  );
}

/** A stage's parameters as a form drawn from the engine's JSON schema. */
export function ParamForm({
  schema,
  values,
  errors,
  disabled = false,
  onChange,
}: {
  schema: ParamsSchema;
  values: FormValues;
  errors: Record<string, string>;
  disabled?: boolean;
  onChange: (values: FormValues) => void;
}) {
  const { t } = useTranslation();

  return (
    <div className="param-form">
      {Object.entries(schema.properties).map(([name, field]) => (
        <div key={name} className={`param-field${errors[name] ? " invalid" : ""}`}>
          <label htmlFor={`param-${name}`} title={field.description}>
            {t(`params.${name}`, { defaultValue: name })}
          </label>
          <FieldInput
            name={name}
            field={field}
            value={values[name] ?? ""}
            disabled={disabled}
            onChange={(value) => onChange({ ...values, [name]: value })}
          />
          <span className="param-hint">
            {rangeText(field)}
            {field.default !== "" &&
              ` · ${t("paramForm.default", { value: String(field.default) })}`}
          </span>
          {errors[name] && (
            <span className="field-error" role="alert">
              {errors[name]}
            </span>
          )}
        </div>
      ))}
    </div>
  );
}
