import { afterEach, describe, expect, it } from "vitest";
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { useState } from "react";
import i18n from "./i18n";
import { fieldErrors, initialValues, ParamForm, toParams, type FormValues } from "./ParamForm";
import { schemaSample } from "./test/schemaSample";
import type { ErrorPayload } from "./bindings/ErrorPayload";

function paramsOf(kind: string) {
  const stage = schemaSample.stages.find((candidate) => candidate.kind === kind);
  if (!stage) throw new Error(`no stage ${kind} in the sample`);
  return stage.params;
}

const slice = paramsOf("audio_slice");
const sovits = paramsOf("sovits_train");

function Harness({ errors = {} }: { errors?: Record<string, string> }) {
  const [values, setValues] = useState<FormValues>(() => initialValues(sovits, null));
  return (
    <>
      <ParamForm schema={sovits} values={values} errors={errors} onChange={setValues} />
      <output data-testid="params">{JSON.stringify(toParams(sovits, values))}</output>
    </>
  );
}

afterEach(cleanup);

describe("ParamForm", () => {
  it("starts from the schema's defaults, or from the last run's parameters", () => {
    expect(initialValues(slice, null)).toMatchObject({ threshold: "-34", min_length: "4000" });
    expect(initialValues(slice, { threshold: -40 })).toMatchObject({ threshold: "-40" });
  });

  it("draws one field per parameter with its range, unit and default", async () => {
    await i18n.changeLanguage("en");
    render(
      <ParamForm
        schema={slice}
        values={initialValues(slice, null)}
        errors={{}}
        onChange={() => {}}
      />,
    );
    const threshold = screen.getByLabelText("Silence threshold") as HTMLInputElement;
    expect(threshold.type).toBe("number");
    expect(threshold.value).toBe("-34");
    expect(threshold.min).toBe("-100");
    expect(threshold.max).toBe("0");
    expect(screen.getByText("-100 – 0 dB · default -34")).toBeTruthy();
    expect((screen.getByLabelText("Shortest slice") as HTMLInputElement).step).toBe("1");
    expect(screen.getAllByRole("spinbutton")).toHaveLength(8);
  });

  it("sends typed values: numbers as numbers, booleans as booleans, empty fields left out", async () => {
    await i18n.changeLanguage("en");
    render(<Harness />);
    fireEvent.change(screen.getByLabelText("Epochs"), { target: { value: "12" } });
    fireEvent.click(screen.getByLabelText("Keep latest checkpoint only"));
    fireEvent.change(screen.getByLabelText("Batch size"), { target: { value: "" } });
    expect(JSON.parse(screen.getByTestId("params").textContent ?? "")).toEqual({
      epochs: 12,
      save_every_epoch: 4,
      text_low_lr_rate: 0.4,
      save_latest_only: false,
      save_every_weights: true,
    });
  });

  it("shows the engine's validation error under its field, in the UI language", async () => {
    const error: ErrorPayload = {
      code: "invalid_params",
      message: "epochs: must be between 1 and 25, got 26",
      details: { field: "epochs", min: 1, max: 25, value: 26 },
    };
    await i18n.changeLanguage("zh-CN");
    render(<Harness errors={fieldErrors(error, i18n.t)} />);
    expect(screen.getByRole("alert").textContent).toBe("必须在 1 到 25 之间");
    expect(screen.getByRole("alert").closest(".param-field")?.textContent).toContain("轮数");

    const other: ErrorPayload = {
      code: "invalid_params",
      message: "max_sil_kept: must be at least hop_size (10 ms)",
      details: { field: "max_sil_kept", problem: "must be at least hop_size (10 ms)" },
    };
    expect(fieldErrors(other, i18n.t)).toEqual({
      max_sil_kept: "must be at least hop_size (10 ms)",
    });
  });
});
