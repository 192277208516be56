import { useCallback, useEffect, useRef, useState } from "react";
import { api, onEngineEvent, subscribe, type EngineEvent } from "./api";
import type { ErrorPayload } from "./bindings/ErrorPayload";
import type { ExperimentDetail } from "./bindings/ExperimentDetail";
import type { LogLevel } from "./bindings/LogLevel";
import type { MetricPoint } from "./bindings/MetricPoint";
import type { StageKind } from "./bindings/StageKind";

/** The latest progress report of a stage. */
export interface StageProgress {
  step: number;
  total: number | null;
  fraction: number | null;
  epoch: number | null;
  losses: Record<string, number | undefined>;
}

/** One line of a stage's log. */
export interface LogLine {
  seq: number;
  time: number;
  level: LogLevel;
  message: string;
}

/** A checkpoint a training stage saved. */
export interface CheckpointMark {
  epoch: number;
  time: number;
  path: string;
}

/** What the events of one stage's current attempt said. */
export interface LiveStage {
  attempt: number;
  progress: StageProgress | null;
  logs: LogLine[];
  metrics: MetricPoint[];
  checkpoints: CheckpointMark[];
}

/** Lines of log kept per stage. */
export const LOG_TAIL = 200;
/** How often live state reaches React: at most 10 renders a second, whatever the event rate. */
const FLUSH_MS = 100;

function emptyLive(attempt: number): LiveStage {
  return { attempt, progress: null, logs: [], metrics: [], checkpoints: [] };
}

/** Folds one event into a stage's live state (mutating the copy it owns). */
export function applyEvent(live: LiveStage, event: EngineEvent): LiveStage {
  const stage = event.attempt > live.attempt ? emptyLive(event.attempt) : live;
  switch (event.type) {
    case "snapshot":
      return { ...stage, metrics: [...event.metrics, ...stage.metrics] };
    case "progress":
      return {
        ...stage,
        progress: {
          step: event.step,
          total: event.total,
          fraction: event.fraction,
          epoch: event.epoch,
          losses: event.losses,
        },
      };
    case "metric":
      stage.metrics.push({
        step: event.step,
        epoch: event.epoch,
        name: event.name,
        value: event.value,
        time: event.time,
      });
      return stage;
    case "checkpoint":
      stage.checkpoints.push({ epoch: event.epoch, time: event.time, path: event.path });
      return stage;
    case "log": {
      const line = { seq: event.seq, time: event.time, level: event.level, message: event.message };
      const logs = [...stage.logs, line];
      return { ...stage, logs: logs.length > LOG_TAIL ? logs.slice(-LOG_TAIL) : logs };
    }
    default:
      return stage;
  }
}

/**
 * One experiment kept current from the engine: its detail (re-read when a status changes) and
 * each stage's live progress, log tail and metrics (from events, flushed at most 10 times a second).
 */
export function useExperimentLive(id: string) {
  const [detail, setDetail] = useState<ExperimentDetail | null>(null);
  const [error, setError] = useState<ErrorPayload | null>(null);
  const [deleted, setDeleted] = useState(false);
  const [live, setLive] = useState<Partial<Record<StageKind, LiveStage>>>({});
  const pending = useRef<Partial<Record<StageKind, LiveStage>>>({});
  const dirty = useRef(false);
  const reloadTimer = useRef<number | undefined>(undefined);

  const reload = useCallback(() => {
    api
      .getExperiment(id)
      .then((result) => {
        setDetail(result);
        setError(null);
      })
      .catch((failure: ErrorPayload) => setError(failure));
  }, [id]);

  useEffect(reload, [reload]);

  const ingest = useCallback((stage: StageKind, event: EngineEvent) => {
    const current = pending.current[stage] ?? emptyLive(event.attempt);
    pending.current = { ...pending.current, [stage]: applyEvent(current, event) };
    dirty.current = true;
  }, []);

  useEffect(() => {
    const timer = window.setInterval(() => {
      if (!dirty.current) return;
      dirty.current = false;
      setLive({ ...pending.current });
    }, FLUSH_MS);
    return () => window.clearInterval(timer);
  }, []);

  useEffect(
    () =>
      subscribe(() =>
        onEngineEvent((event) => {
          if (event.experiment_id !== id) return;
          if (event.type === "experiment_deleted") {
            setDeleted(true);
            return;
          }
          if (event.stage) ingest(event.stage, event);
          const changesState = ["status", "completed", "failed", "cancelled"].includes(event.type);
          if (changesState || event.type === "experiment_updated") {
            window.clearTimeout(reloadTimer.current);
            reloadTimer.current = window.setTimeout(reload, 150);
          }
        }),
      ),
    [id, ingest, reload],
  );

  /** Loads a stage's stored metric history (for a window opened mid-run or after a restart). */
  const loadHistory = useCallback(
    (stage: StageKind) => {
      api
        .stageSnapshot(id, stage)
        .then((snapshot) => {
          if (snapshot.type !== "snapshot") return;
          const fresh = emptyLive(snapshot.attempt);
          fresh.metrics = snapshot.metrics;
          const current = pending.current[stage];
          if (current && current.attempt === snapshot.attempt) {
            const last = snapshot.metrics[snapshot.metrics.length - 1]?.step ?? -1;
            fresh.metrics.push(...current.metrics.filter((point) => point.step > last));
            fresh.logs = current.logs;
            fresh.progress = current.progress;
            fresh.checkpoints = current.checkpoints;
          }
          pending.current = { ...pending.current, [stage]: fresh };
          dirty.current = true;
        })
        .catch(() => undefined);
    },
    [id],
  );

  return { detail, error, deleted, live, reload, loadHistory };
}
