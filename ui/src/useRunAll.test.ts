import { describe, expect, it } from "vitest";
import { nextRemaining } from "./useRunAll";
import { stagesSample } from "./test/schemaSample";
import type { ExperimentDetail } from "./bindings/ExperimentDetail";

const detailWith = (stages: ExperimentDetail["stages"]) =>
  ({ experiment: {} as ExperimentDetail["experiment"], stages }) satisfies ExperimentDetail;

describe("nextRemaining", () => {
  it("picks stages in dependency order and waits while one is going", () => {
    expect(nextRemaining(detailWith(stagesSample()))).toBe("audio_slice");
    expect(nextRemaining(detailWith(stagesSample({ audio_slice: "completed" })))).toBe("asr");
    expect(
      nextRemaining(detailWith(stagesSample({ audio_slice: "completed", asr: "running" }))),
    ).toBe("busy");
    expect(
      nextRemaining(
        detailWith(
          stagesSample({
            audio_slice: "completed",
            asr: "completed",
            text_feature: "completed",
            hubert_feature: "completed",
            semantic_token: "completed",
            sovits_train: "completed",
          }),
        ),
      ),
    ).toBe("gpt_train");
  });

  it("says nothing is left when every stage completed", () => {
    const all = stagesSample();
    all.forEach((stage) => (stage.status = "completed"));
    expect(nextRemaining(detailWith(all))).toBeNull();
  });
});
