import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import i18n from "./i18n";
import { StageGraph } from "./StageGraph";
import { schemaSample, stagesSample } from "./test/schemaSample";

beforeAll(() => {
  // jsdom has no layout; React Flow needs these browser APIs to exist.
  globalThis.ResizeObserver ??= class {
    observe() {}
    unobserve() {}
    disconnect() {}
  };
});

afterEach(cleanup);

describe("StageGraph", () => {
  it("colours every node by its status and shows progress while running", async () => {
    await i18n.changeLanguage("en");
    const stages = stagesSample({
      audio_slice: "completed",
      asr: "running",
      hubert_feature: "failed",
      text_feature: "stale",
    });
    render(
      <StageGraph
        schema={schemaSample.stages}
        stages={stages}
        fractions={{ asr: 0.5 }}
        selected={null}
        onSelect={() => {}}
      />,
    );
    const asr = screen.getByTestId("stage-asr");
    expect(asr.className).toContain("status-running");
    expect(asr.textContent).toContain("Running");
    expect(asr.querySelector(".progress-ring-fill")).toBeTruthy();
    expect(screen.getByTestId("stage-audio_slice").className).toContain("status-completed");
    expect(screen.getByTestId("stage-hubert_feature").textContent).toContain("Failed");
    expect(screen.getByTestId("stage-text_feature").textContent).toContain("Out of date");
    expect(screen.getByTestId("stage-audio_slice").querySelector(".progress-ring-fill")).toBeNull();
  });

  it("marks stages whose needs are not completed as not runnable, with the reason", async () => {
    await i18n.changeLanguage("zh-CN");
    render(
      <StageGraph
        schema={schemaSample.stages}
        stages={stagesSample({ audio_slice: "completed" })}
        fractions={{}}
        selected={null}
        onSelect={() => {}}
      />,
    );
    const asr = screen.getByTestId("stage-asr");
    expect(asr.getAttribute("aria-disabled")).toBe("false");
    const sovits = screen.getByTestId("stage-sovits_train");
    expect(sovits.className).toContain("blocked");
    expect(sovits.title).toBe("需要先完成：文本特征 (待运行), 语义 token (待运行)");
    expect(screen.getByTestId("stage-audio_slice").className).not.toContain("blocked");
  });

  it("opens a stage from the keyboard", async () => {
    await i18n.changeLanguage("en");
    const chosen: string[] = [];
    render(
      <StageGraph
        schema={schemaSample.stages}
        stages={stagesSample()}
        fractions={{}}
        selected={null}
        onSelect={(stage) => chosen.push(stage)}
      />,
    );
    fireEvent.keyDown(screen.getByTestId("stage-hubert_feature"), { key: "Enter" });
    expect(chosen).toEqual(["hubert_feature"]);
  });
});
