import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type { DeleteOutcome } from "./bindings/DeleteOutcome";
import type { ErrorPayload } from "./bindings/ErrorPayload";
import type { Event as EngineEvent } from "./bindings/Event";
import type { ExecuteOutcome } from "./bindings/ExecuteOutcome";
import type { Experiment } from "./bindings/Experiment";
import type { ExperimentDetail } from "./bindings/ExperimentDetail";
import type { ExperimentPage } from "./bindings/ExperimentPage";
import type { ExperimentUpdate } from "./bindings/ExperimentUpdate";
import type { ListQuery } from "./bindings/ListQuery";
import type { NewExperiment } from "./bindings/NewExperiment";
import type { StageInfo } from "./bindings/StageInfo";
import type { StageKind } from "./bindings/StageKind";
import type { JsonValue } from "./bindings/serde_json/JsonValue";

export type { EngineEvent };

/** The Tauri event that carries every engine event. */
export const ENGINE_EVENT = "gsv://engine";
/** The Tauri event that carries playback progress. */
export const PLAYBACK_EVENT = "gsv://playback";

/** A file the import or the slicer leaves out, and why (gsv-audio `SkippedFile`). */
export interface SkippedFile {
  path: string;
  code: string;
  reason: string;
}

/** One usable file of an import (gsv-audio `ProbedFile`). */
export interface ProbedFile {
  path: string;
  codec: string;
  sample_rate: number;
  channels: number;
  duration_s: number;
}

/** What importing a set of files and folders would bring (gsv-audio `ImportSummary`). */
export interface ImportSummary {
  files: ProbedFile[];
  count: number;
  total_duration_s: number;
  formats: Record<string, number>;
  skipped: SkippedFile[];
}

/** One clip written by `audio_slice` (gsv-audio `ClipInfo`). */
export interface ClipInfo {
  path: string;
  source: string;
  start: number;
  end: number;
  samples: number;
  duration_s: number;
  peak: number;
  peak_dbfs: number;
}

/** The result summary of `audio_slice` (gsv-audio `SliceReport`). */
export interface SliceReport {
  clips: ClipInfo[];
  clip_count: number;
  total_duration_s: number;
  files_sliced: number;
  silent_files: string[];
  skipped: SkippedFile[];
  message: string | null;
}

/** A waveform reduced for drawing. */
export interface WaveformPeaks {
  duration_s: number;
  buckets: { min: number; max: number }[];
}

/** What a playback reports, in order: started, positions, then finished, stopped or failed. */
export type PlaybackEvent =
  | { type: "started"; duration_s: number }
  | { type: "position"; position_s: number; duration_s: number }
  | { type: "finished" }
  | { type: "stopped" }
  | { type: "failed"; reason: string };

/** A CUDA device libtorch can see. */
export interface CudaDevice {
  index: number;
  name: string | null;
  total_memory_bytes: number | null;
  free_memory_bytes: number | null;
}

/** What the linked libtorch can do on this machine. */
export interface TorchReport {
  libtorch_version: string;
  cuda_built: boolean;
  cuda_available: boolean;
  cudnn_available: boolean;
  cuda_devices: CudaDevice[];
  cpu_threads: number;
}

/** The JSON Schema of one parameter, as the engine exports it. */
export interface FieldSchema {
  type: "integer" | "number" | "boolean" | "string";
  default: number | boolean | string;
  minimum?: number;
  maximum?: number;
  enum?: string[];
  maxLength?: number;
  description?: string;
  "x-unit"?: string;
}

/** The JSON Schema of one stage's parameters. */
export interface ParamsSchema {
  title?: string;
  type: "object";
  additionalProperties?: boolean;
  properties: Record<string, FieldSchema>;
}

/** One node of the engine's stage graph. */
export interface StageSchema {
  kind: StageKind;
  label: string;
  needs: StageKind[];
  gpu_heavy: boolean;
  params: ParamsSchema;
}

/** Every stage's parameters and the stage graph. */
export interface EngineSchema {
  version: number;
  stages: StageSchema[];
}

/** Whether a rejected value is an engine error payload. */
export function isErrorPayload(value: unknown): value is ErrorPayload {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { code?: unknown }).code === "string" &&
    typeof (value as { message?: unknown }).message === "string"
  );
}

/** Turns anything a call rejected with into an ErrorPayload (non-engine failures are `internal`). */
export function toErrorPayload(error: unknown): ErrorPayload {
  if (isErrorPayload(error)) {
    return error;
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: "internal", message, details: null };
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw toErrorPayload(error);
  }
}

/** The engine's commands, typed. Every promise rejects with an ErrorPayload. */
export const api = {
  listExperiments: (query: ListQuery) => call<ExperimentPage>("list_experiments", { query }),
  createExperiment: (experiment: NewExperiment) =>
    call<ExperimentDetail>("create_experiment", { experiment }),
  getExperiment: (key: string) => call<ExperimentDetail>("get_experiment", { key }),
  updateExperiment: (key: string, update: ExperimentUpdate) =>
    call<Experiment>("update_experiment", { key, update }),
  deleteExperiment: (key: string) => call<DeleteOutcome>("delete_experiment", { key }),
  executeStage: (key: string, stage: StageKind, params: Record<string, JsonValue> | null) =>
    call<ExecuteOutcome>("execute_stage", { key, stage, params }),
  listStages: (key: string) => call<StageInfo[]>("list_stages", { key }),
  getStage: (key: string, stage: StageKind) => call<StageInfo>("get_stage", { key, stage }),
  cancelStage: (key: string, stage: StageKind) => call<StageInfo>("cancel_stage", { key, stage }),
  stageSnapshot: (key: string, stage: StageKind) =>
    call<EngineEvent>("stage_snapshot", { key, stage }),
  engineSchema: () => call<EngineSchema>("engine_schema"),
  torchReport: () => call<TorchReport>("torch_report"),
  probeAudio: (paths: string[]) => call<ImportSummary>("probe_audio", { paths }),
  waveform: (path: string, buckets: number) => call<WaveformPeaks>("waveform", { path, buckets }),
  playAudio: (path: string) => call<null>("play_audio", { path }),
  stopAudio: () => call<null>("stop_audio"),
};

/** What the window reports while files are dragged over it. */
export type DragDropEvent =
  | { type: "enter"; paths: string[] }
  | { type: "over" }
  | { type: "drop"; paths: string[] }
  | { type: "leave" };

/**
 * Calls `handler` while files are dragged over and dropped on the window. These are the events
 * behind `getCurrentWebview().onDragDropEvent`; the app has one webview, so listening to them
 * on any target is the same thing, and it keeps the `listen` boundary the only one to mock.
 */
export async function onDragDrop(handler: (event: DragDropEvent) => void): Promise<UnlistenFn> {
  const stops = await Promise.all([
    listen<{ paths: string[] }>("tauri://drag-enter", (event) =>
      handler({ type: "enter", paths: event.payload.paths }),
    ),
    listen("tauri://drag-over", () => handler({ type: "over" })),
    listen<{ paths: string[] }>("tauri://drag-drop", (event) =>
      handler({ type: "drop", paths: event.payload.paths }),
    ),
    listen("tauri://drag-leave", () => handler({ type: "leave" })),
  ]);
  return () => stops.forEach((stop) => stop());
}

/** Calls `handler` for every engine event until the returned function is called. */
export function onEngineEvent(handler: (event: EngineEvent) => void): Promise<UnlistenFn> {
  return listen<EngineEvent>(ENGINE_EVENT, (event) => handler(event.payload));
}

/** Calls `handler` for every playback event until the returned function is called. */
export function onPlaybackEvent(handler: (event: PlaybackEvent) => void): Promise<UnlistenFn> {
  return listen<PlaybackEvent>(PLAYBACK_EVENT, (event) => handler(event.payload));
}

/**
 * Subscribes inside an effect: returns a cleanup that unlistens even when the subscription
 * resolves after the component is gone.
 */
export function subscribe(start: () => Promise<UnlistenFn>): () => void {
  let unlisten: UnlistenFn | null = null;
  let gone = false;
  start()
    .then((stop) => {
      if (gone) stop();
      else unlisten = stop;
    })
    .catch(() => undefined);
  return () => {
    gone = true;
    unlisten?.();
  };
}
