import type { StageSchema } from "./api";
import type { StageInfo } from "./bindings/StageInfo";
import type { StageKind } from "./bindings/StageKind";

/** Column of each stage: the length of the longest chain of stages it needs. */
export function stageDepths(stages: StageSchema[]): Map<StageKind, number> {
  const byKind = new Map(stages.map((stage) => [stage.kind, stage]));
  const depths = new Map<StageKind, number>();
  const depth = (kind: StageKind, seen: Set<StageKind>): number => {
    const known = depths.get(kind);
    if (known !== undefined) return known;
    if (seen.has(kind)) return 0;
    seen.add(kind);
    const needs = byKind.get(kind)?.needs ?? [];
    const value = needs.length === 0 ? 0 : 1 + Math.max(...needs.map((n) => depth(n, seen)));
    depths.set(kind, value);
    return value;
  };
  stages.forEach((stage) => depth(stage.kind, new Set()));
  return depths;
}

/** The stages a stage needs that have not completed, with their status. */
export function unmetNeeds(info: StageInfo, all: StageInfo[]): StageInfo[] {
  return all.filter((other) => info.needs.includes(other.kind) && other.status !== "completed");
}

/** Whether a stage can be started now (its needs completed and it is not already going). */
export function canRun(info: StageInfo, all: StageInfo[]): boolean {
  return (
    info.status !== "queued" && info.status !== "running" && unmetNeeds(info, all).length === 0
  );
}
