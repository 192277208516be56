import { useEffect, useRef, useState } from "react";
import { api } from "./api";
import type { ErrorPayload } from "./bindings/ErrorPayload";
import type { ExperimentDetail } from "./bindings/ExperimentDetail";
import type { StageKind } from "./bindings/StageKind";
import { canRun } from "./stageGraph";

/** The next stage "Run all remaining" starts: the first not completed whose needs are met. */
export function nextRemaining(detail: ExperimentDetail): StageKind | null | "busy" {
  const stages = detail.stages;
  if (stages.some((stage) => stage.status === "queued" || stage.status === "running")) {
    return "busy";
  }
  const next = stages.find((stage) => stage.status !== "completed" && canRun(stage, stages));
  return next?.kind ?? null;
}

/**
 * Runs every remaining stage in dependency order, one after another, with each stage's last
 * parameters (defaults for a first run). Stops when one fails or is cancelled, or nothing is left.
 */
export function useRunAll(id: string, detail: ExperimentDetail | null, reload: () => void) {
  const [active, setActive] = useState(false);
  const [error, setError] = useState<ErrorPayload | null>(null);
  const started = useRef(new Set<StageKind>());
  // The stage just asked to run, and its new attempt number once the engine answered.
  const launching = useRef<{ kind: StageKind; attempt: number | null } | null>(null);

  useEffect(() => {
    if (!active || !detail) return;
    const pending = launching.current;
    if (pending) {
      const stage = detail.stages.find((candidate) => candidate.kind === pending.kind);
      if (pending.attempt === null || !stage || stage.attempt < pending.attempt) return;
      launching.current = null;
    }
    const stopped = detail.stages.some(
      (stage) =>
        started.current.has(stage.kind) &&
        (stage.status === "failed" || stage.status === "cancelled"),
    );
    const next = nextRemaining(detail);
    if (stopped || next === null) {
      Promise.resolve().then(() => setActive(false));
      return;
    }
    if (next === "busy") return;
    const info = detail.stages.find((stage) => stage.kind === next);
    const params =
      info?.params && typeof info.params === "object" && !Array.isArray(info.params)
        ? (info.params as Record<string, never>)
        : null;
    const launch = { kind: next, attempt: null as number | null };
    launching.current = launch;
    started.current.add(next);
    api
      .executeStage(id, next, params)
      .then((outcome) => {
        launch.attempt = outcome.attempt;
        reload();
      })
      .catch((failure: ErrorPayload) => {
        launching.current = null;
        setError(failure);
        setActive(false);
      });
  }, [active, detail, id, reload]);

  const start = () => {
    started.current = new Set();
    launching.current = null;
    setError(null);
    setActive(true);
  };

  return {
    active,
    error,
    start,
    stop: () => setActive(false),
    clearError: () => setError(null),
  };
}
