import type { MetricPoint } from "./bindings/MetricPoint";

/** Metrics as uPlot's aligned columns: steps, then one column per metric name (null where absent). */
export interface AlignedSeries {
  names: string[];
  steps: number[];
  columns: (number | null)[][];
  /** First step of each epoch after the first. */
  epochStarts: number[];
  /** Last step of each epoch, by epoch. */
  epochEnds: Map<number, number>;
}

/** Whether a metric is a learning rate (drawn on its own axis). */
export function isLearningRate(name: string): boolean {
  return (
    name === "lr" ||
    name.startsWith("lr_") ||
    name.endsWith("_lr") ||
    name.includes("learning_rate")
  );
}

/** Groups metric points by name and aligns them on step, in one pass plus a sort of the steps. */
export function alignMetrics(points: MetricPoint[]): AlignedSeries {
  const names: string[] = [];
  const nameIndex = new Map<string, number>();
  const stepSet = new Set<number>();
  const epochOfStep = new Map<number, number>();
  for (const point of points) {
    if (!nameIndex.has(point.name)) {
      nameIndex.set(point.name, names.length);
      names.push(point.name);
    }
    stepSet.add(point.step);
    if (point.epoch !== null) epochOfStep.set(point.step, point.epoch);
  }
  const steps = [...stepSet].sort((a, b) => a - b);
  const row = new Map(steps.map((step, index) => [step, index]));
  const columns = names.map(() => new Array<number | null>(steps.length).fill(null));
  for (const point of points) {
    const column = columns[nameIndex.get(point.name) ?? 0];
    const index = row.get(point.step);
    if (column && index !== undefined) column[index] = point.value;
  }

  const epochStarts: number[] = [];
  const epochEnds = new Map<number, number>();
  let previous: number | undefined;
  for (const step of steps) {
    const epoch = epochOfStep.get(step);
    if (epoch === undefined) continue;
    if (previous !== undefined && epoch !== previous) epochStarts.push(step);
    epochEnds.set(epoch, step);
    previous = epoch;
  }
  return { names, steps, columns, epochStarts, epochEnds };
}
