import { Handle, Position, type Node, type NodeProps } from "@xyflow/react";
import { useTranslation } from "react-i18next";
import type { StageInfo } from "./bindings/StageInfo";
import type { StageStatus } from "./bindings/StageStatus";
import { ProgressRing } from "./ProgressRing";

const GLYPHS: Record<StageStatus, string> = {
  pending: "○",
  queued: "⋯",
  running: "",
  completed: "✓",
  failed: "✕",
  cancelled: "⊘",
  stale: "↻",
};

/** What a stage node shows. */
export interface StageNodeData extends Record<string, unknown> {
  info: StageInfo;
  /** Stages it needs that have not completed; empty when it can run. */
  unmet: StageInfo[];
  /** Share done while running, when known. */
  fraction: number | null;
  selected: boolean;
  /** Opens the stage's panel (for the keyboard; clicks go through the graph). */
  onSelect: () => void;
}

export type StageFlowNode = Node<StageNodeData, "stage">;

/** One stage in the graph: its name, a status colour, a progress ring while running. */
export function StageNode({ data }: NodeProps<StageFlowNode>) {
  const { t } = useTranslation();
  const { info, unmet, fraction } = data;
  const blocked = unmet.length > 0 && info.status !== "completed";
  const reason = blocked
    ? t("stage.blockedBy", {
        stages: unmet
          .map((other) => `${t(`stages.${other.kind}`)} (${t(`stageStatus.${other.status}`)})`)
          .join(", "),
      })
    : undefined;

  return (
    <div
      className={`stage-node status-${info.status}${blocked ? " blocked" : ""}${data.selected ? " selected" : ""}`}
      title={reason}
      data-testid={`stage-${info.kind}`}
      data-status={info.status}
      aria-disabled={blocked}
      role="button"
      tabIndex={0}
      onKeyDown={(event) => {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          data.onSelect();
        }
      }}
    >
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <div className="stage-node-body">
        <div className="stage-node-name">{t(`stages.${info.kind}`)}</div>
        <div className="stage-node-status">{t(`stageStatus.${info.status}`)}</div>
      </div>
      {info.status === "running" ? (
        <ProgressRing fraction={fraction} />
      ) : (
        <span className="stage-glyph" aria-hidden="true">
          {GLYPHS[info.status]}
        </span>
      )}
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  );
}
