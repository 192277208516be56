import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { act, cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import i18n from "./i18n";
import { ExperimentScreen } from "./ExperimentScreen";
import { schemaSample, stagesSample } from "./test/schemaSample";
import type { ExperimentDetail } from "./bindings/ExperimentDetail";
import type { Event as EngineEvent } from "./bindings/Event";
import type { StageStatus } from "./bindings/StageStatus";

type Handler = (event: { payload: unknown }) => void;
const handlers = vi.hoisted(() => new Map<string, Handler>());
const invoke = vi.hoisted(() => vi.fn());
vi.mock("@tauri-apps/api/core", () => ({ invoke }));
vi.mock("@tauri-apps/api/event", () => ({
  listen: vi.fn(async (name: string, handler: Handler) => {
    handlers.set(name, handler);
    return () => handlers.delete(name);
  }),
}));

beforeAll(() => {
  globalThis.ResizeObserver ??= class {
    observe() {}
    unobserve() {}
    disconnect() {}
  };
});

afterEach(() => {
  cleanup();
  invoke.mockReset();
  handlers.clear();
});

function detail(status: StageStatus, result: ExperimentDetail["stages"][0]["result"] = null) {
  const stages = stagesSample({ audio_slice: status });
  const slice = stages[0];
  if (slice) {
    slice.result = result;
    slice.attempt = status === "pending" ? 0 : 1;
    slice.started_at = status === "pending" ? null : Date.now() - 5000;
  }
  return {
    experiment: {
      id: "exp-1",
      name: "alice",
      description: "",
      language: "zh",
      model_version: "v2",
      base_models: {},
      device: "cpu",
      sources: ["/rec"],
      status: "pending",
      created_at: 0,
      updated_at: 0,
      dir: "/data/exp-1",
    },
    stages,
  } satisfies ExperimentDetail;
}

function engineEvent(body: Record<string, unknown>) {
  const payload = {
    seq: 1,
    time: Date.now(),
    experiment_id: "exp-1",
    stage: "audio_slice",
    attempt: 1,
    ...body,
  } as EngineEvent;
  act(() => handlers.get("gsv://engine")?.({ payload }));
}

describe("ExperimentScreen", () => {
  it("runs a stage, shows an engine parameter error inline, then live progress", async () => {
    await i18n.changeLanguage("en");
    let state = detail("pending");
    invoke.mockImplementation(async (command: string, args: Record<string, unknown>) => {
      switch (command) {
        case "engine_schema":
          return schemaSample;
        case "get_experiment":
          return state;
        case "stage_snapshot":
          return {
            type: "snapshot",
            seq: 0,
            time: 0,
            experiment_id: "exp-1",
            stage: "audio_slice",
            attempt: 0,
            info: state.stages[0],
            metrics: [],
          };
        case "execute_stage": {
          const params = args.params as Record<string, number>;
          if (params.threshold !== undefined && params.threshold > 0) {
            throw {
              code: "invalid_params",
              message: "threshold: must be between -100 and 0 dB, got 5",
              details: { field: "threshold", min: -100, max: 0, value: 5 },
            };
          }
          state = detail("running");
          return {
            experiment_id: "exp-1",
            stage: "audio_slice",
            attempt: 1,
            rerun: false,
            stale: [],
            info: state.stages[0],
          };
        }
        default:
          throw new Error(`unexpected ${command}`);
      }
    });
    render(<ExperimentScreen id="exp-1" onBack={() => {}} />);
    fireEvent.click(await screen.findByTestId("stage-audio_slice"));
    const panel = await screen.findByTestId("stage-panel");
    expect(panel.textContent).toContain("Slice audio");

    fireEvent.change(screen.getByLabelText("Silence threshold"), { target: { value: "5" } });
    fireEvent.click(screen.getByText("Run"));
    expect(await screen.findByText("must be between -100 and 0")).toBeTruthy();

    fireEvent.change(screen.getByLabelText("Silence threshold"), { target: { value: "-40" } });
    fireEvent.click(screen.getByText("Run"));
    await waitFor(() =>
      expect(invoke).toHaveBeenCalledWith("execute_stage", {
        key: "exp-1",
        stage: "audio_slice",
        params: expect.objectContaining({ threshold: -40, min_length: 4000 }),
      }),
    );
    expect(await screen.findByText("Cancel")).toBeTruthy();

    engineEvent({ type: "progress", step: 3, total: 4, fraction: 0.75, epoch: null, losses: {} });
    engineEvent({ type: "log", seq: 2, level: "info", message: "sliced a.wav into 7 clips" });
    await waitFor(() =>
      expect(screen.getByRole("progressbar").getAttribute("aria-valuenow")).toBe("75"),
    );
    expect(screen.getByText(/sliced a.wav into 7 clips/)).toBeTruthy();
    expect(screen.getByTestId("stage-audio_slice").className).toContain("status-running");
  });

  it("lists the clips of a completed slice and plays the selected one with the keyboard", async () => {
    await i18n.changeLanguage("zh-CN");
    const clip = (name: string) => ({
      path: `/data/exp-1/slices/${name}`,
      source: "/rec/a.wav",
      start: 0,
      end: 1,
      samples: 32000,
      duration_s: 1,
      peak: 0.9,
      peak_dbfs: -0.9,
    });
    const state = detail("completed", {
      clips: [clip("a_0.wav"), clip("a_1.wav")],
      clip_count: 2,
      total_duration_s: 2,
      files_sliced: 1,
      silent_files: [],
      skipped: [],
      message: null,
    });
    invoke.mockImplementation(async (command: string) => {
      if (command === "engine_schema") return schemaSample;
      if (command === "get_experiment") return state;
      if (command === "waveform") return { duration_s: 1, buckets: [{ min: -0.5, max: 0.5 }] };
      if (command === "play_audio" || command === "stop_audio") return null;
      if (command === "stage_snapshot") throw { code: "internal", message: "x", details: null };
      throw new Error(`unexpected ${command}`);
    });
    render(<ExperimentScreen id="exp-1" onBack={() => {}} />);
    fireEvent.click(await screen.findByTestId("stage-audio_slice"));
    const table = await screen.findByTestId("clips-table");
    expect(table.textContent).toContain("a_1.wav");
    const clips = screen.getByLabelText("切片", { selector: ".clips" });
    fireEvent.keyDown(clips, { key: "ArrowDown" });
    fireEvent.keyDown(clips, { key: " " });
    expect(invoke).toHaveBeenCalledWith("play_audio", { path: "/data/exp-1/slices/a_1.wav" });
    expect(screen.getByLabelText("停止")).toBeTruthy();
    fireEvent.keyDown(clips, { key: " " });
    expect(invoke).toHaveBeenCalledWith("stop_audio", undefined);
  });
});
