import { useMemo } from "react";
import { ReactFlow, type Edge } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import type { StageSchema } from "./api";
import type { StageInfo } from "./bindings/StageInfo";
import type { StageKind } from "./bindings/StageKind";
import { StageNode, type StageFlowNode } from "./StageNode";
import { stageDepths, unmetNeeds } from "./stageGraph";

const nodeTypes = { stage: StageNode };
const COLUMN = 220;
const ROW = 90;

/** The seven stages as a graph, laid out in columns by dependency depth, edges from the schema. */
export function StageGraph({
  schema,
  stages,
  fractions,
  selected,
  onSelect,
}: {
  schema: StageSchema[];
  stages: StageInfo[];
  fractions: Partial<Record<StageKind, number | null>>;
  selected: StageKind | null;
  onSelect: (stage: StageKind) => void;
}) {
  const depths = useMemo(() => stageDepths(schema), [schema]);

  const nodes = useMemo<StageFlowNode[]>(() => {
    const rows = new Map<number, number>();
    return stages.map((info) => {
      const column = depths.get(info.kind) ?? 0;
      const row = rows.get(column) ?? 0;
      rows.set(column, row + 1);
      return {
        id: info.kind,
        type: "stage",
        position: { x: column * COLUMN, y: row * ROW + (column === 0 ? ROW / 2 : 0) },
        data: {
          info,
          unmet: unmetNeeds(info, stages),
          fraction: fractions[info.kind] ?? null,
          selected: info.kind === selected,
          onSelect: () => onSelect(info.kind),
        },
        draggable: false,
        connectable: false,
      };
    });
  }, [stages, depths, fractions, selected, onSelect]);

  const edges = useMemo<Edge[]>(
    () =>
      schema.flatMap((stage) =>
        stage.needs.map((need) => ({
          id: `${need}->${stage.kind}`,
          source: need,
          target: stage.kind,
          animated: stages.find((info) => info.kind === stage.kind)?.status === "running",
        })),
      ),
    [schema, stages],
  );

  return (
    <div className="stage-graph" data-testid="stage-graph">
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        onNodeClick={(_, node) => onSelect(node.id as StageKind)}
        fitView
        nodesDraggable={false}
        nodesConnectable={false}
        elementsSelectable={false}
        zoomOnScroll={false}
        panOnDrag={false}
        proOptions={{ hideAttribution: true }}
      />
    </div>
  );
}
