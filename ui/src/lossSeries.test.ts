import { describe, expect, it } from "vitest";
import { alignMetrics, isLearningRate } from "./lossSeries";
import type { MetricPoint } from "./bindings/MetricPoint";

const point = (step: number, epoch: number, name: string, value: number): MetricPoint => ({
  step,
  epoch,
  name,
  value,
  time: 0,
});

describe("alignMetrics", () => {
  it("aligns every metric on step, marks epoch starts and ends", () => {
    const aligned = alignMetrics([
      point(2, 1, "loss_mel", 3),
      point(1, 1, "loss_mel", 4),
      point(1, 1, "lr", 0.01),
      point(3, 2, "loss_mel", 2),
    ]);
    expect(aligned.names).toEqual(["loss_mel", "lr"]);
    expect(aligned.steps).toEqual([1, 2, 3]);
    expect(aligned.columns).toEqual([
      [4, 3, 2],
      [0.01, null, null],
    ]);
    expect(aligned.epochStarts).toEqual([3]);
    expect(aligned.epochEnds.get(1)).toBe(2);
    expect(isLearningRate("lr")).toBe(true);
    expect(isLearningRate("loss_kl")).toBe(false);
  });

  it("handles 100,000 points quickly", () => {
    const points: MetricPoint[] = [];
    for (let step = 0; step < 50_000; step += 1) {
      points.push(point(step, Math.floor(step / 1000), "loss", Math.random()));
      points.push(point(step, Math.floor(step / 1000), "lr", 0.001));
    }
    const started = performance.now();
    const aligned = alignMetrics(points);
    expect(aligned.steps).toHaveLength(50_000);
    expect(aligned.epochStarts).toHaveLength(49);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
