import type { EngineSchema, FieldSchema, ParamsSchema } from "../api";
import type { StageInfo } from "../bindings/StageInfo";
import type { StageKind } from "../bindings/StageKind";
import type { StageStatus } from "../bindings/StageStatus";

// A copy of what `gsv schema` prints (crates/core/src/params.rs), trimmed to what the forms use.

const int = (d: number, min: number, max: number, unit?: string): FieldSchema => ({
  type: "integer",
  default: d,
  minimum: min,
  maximum: max,
  ...(unit ? { "x-unit": unit } : {}),
});
const float = (d: number, min: number, max: number, unit?: string): FieldSchema => ({
  type: "number",
  default: d,
  minimum: min,
  maximum: max,
  ...(unit ? { "x-unit": unit } : {}),
});
const bool = (d: boolean): FieldSchema => ({ type: "boolean", default: d });
const params = (properties: Record<string, FieldSchema>): ParamsSchema => ({
  type: "object",
  additionalProperties: false,
  properties,
});
const model = params({
  model: { type: "string", default: "", maxLength: 4096 },
  precision: { type: "string", default: "auto", enum: ["auto", "fp32", "fp16"] },
});

export const schemaSample: EngineSchema = {
  version: 1,
  stages: [
    {
      kind: "audio_slice",
      label: "Slice audio",
      needs: [],
      gpu_heavy: false,
      params: params({
        threshold: float(-34, -100, 0, "dB"),
        min_length: int(4000, 100, 60000, "ms"),
        min_interval: int(300, 10, 10000, "ms"),
        hop_size: int(10, 1, 100, "ms"),
        max_sil_kept: int(500, 0, 10000, "ms"),
        max: float(0.9, 0.01, 1),
        alpha: float(0.25, 0, 1),
        workers: int(4, 1, 32),
      }),
    },
    { kind: "asr", label: "Transcribe", needs: ["audio_slice"], gpu_heavy: true, params: model },
    {
      kind: "text_feature",
      label: "Text features",
      needs: ["asr"],
      gpu_heavy: true,
      params: model,
    },
    {
      kind: "hubert_feature",
      label: "HuBERT features",
      needs: ["audio_slice"],
      gpu_heavy: true,
      params: model,
    },
    {
      kind: "semantic_token",
      label: "Semantic tokens",
      needs: ["hubert_feature"],
      gpu_heavy: true,
      params: model,
    },
    {
      kind: "sovits_train",
      label: "Train SoVITS",
      needs: ["text_feature", "semantic_token"],
      gpu_heavy: true,
      params: params({
        batch_size: int(4, 1, 40),
        epochs: int(8, 1, 25),
        save_every_epoch: int(4, 1, 25),
        text_low_lr_rate: float(0.4, 0.2, 0.6),
        save_latest_only: bool(true),
        save_every_weights: bool(true),
      }),
    },
    {
      kind: "gpt_train",
      label: "Train GPT",
      needs: ["text_feature", "semantic_token"],
      gpu_heavy: true,
      params: params({
        batch_size: int(4, 1, 40),
        epochs: int(15, 2, 50),
        save_every_epoch: int(5, 1, 50),
        dpo: bool(false),
        save_latest_only: bool(true),
        save_every_weights: bool(true),
      }),
    },
  ],
};

/** Stage states of one experiment, each stage with the given status (pending by default). */
export function stagesSample(statuses: Partial<Record<StageKind, StageStatus>> = {}): StageInfo[] {
  return schemaSample.stages.map((stage) => ({
    experiment_id: "exp-1",
    kind: stage.kind,
    status: statuses[stage.kind] ?? "pending",
    needs: stage.needs,
    gpu_heavy: stage.gpu_heavy,
    params: null,
    result: null,
    artifacts: [],
    error: null,
    attempt: 0,
    queued_at: null,
    started_at: null,
    finished_at: null,
    device: null,
    cancel_requested: false,
  }));
}
