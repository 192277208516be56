import { useEffect, useMemo, useRef } from "react";
import { useTranslation } from "react-i18next";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { MetricPoint } from "./bindings/MetricPoint";
import { alignMetrics, isLearningRate, type AlignedSeries } from "./lossSeries";
import type { CheckpointMark } from "./useExperimentLive";

const COLOURS = ["#2f6fed", "#e0663a", "#2e9e5b", "#9b59b6", "#c4312b", "#16a2b8", "#a9a046"];
const HEIGHT = 260;

function cssVar(name: string, fallback: string): string {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return value || fallback;
}

/** Vertical lines at epoch starts (thin) and checkpoints (dashed), drawn over the plot area. */
function markers(
  getSeries: () => AlignedSeries,
  getCheckpoints: () => CheckpointMark[],
): uPlot.Plugin {
  const line = (u: uPlot, step: number, colour: string, dash: number[]) => {
    const x = Math.round(u.valToPos(step, "x", true));
    if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) return;
    u.ctx.save();
    u.ctx.strokeStyle = colour;
    u.ctx.setLineDash(dash);
    u.ctx.lineWidth = 1;
    u.ctx.beginPath();
    u.ctx.moveTo(x, u.bbox.top);
    u.ctx.lineTo(x, u.bbox.top + u.bbox.height);
    u.ctx.stroke();
    u.ctx.restore();
  };
  return {
    hooks: {
      draw: (u) => {
        const series = getSeries();
        series.epochStarts.forEach((step) => line(u, step, "rgba(128,128,128,0.35)", []));
        getCheckpoints().forEach((mark) => {
          const step = series.epochEnds.get(mark.epoch);
          if (step !== undefined) line(u, step, "#2e9e5b", [4, 4]);
        });
      },
    },
  };
}

/** Live loss and learning-rate curves of a training stage against step, with epoch and checkpoint markers. */
export function LossChart({
  metrics,
  count,
  checkpoints,
}: {
  metrics: MetricPoint[];
  /** Number of points; the metrics array grows in place, so this is what says it changed. */
  count: number;
  checkpoints: CheckpointMark[];
}) {
  const { t } = useTranslation();
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  // eslint-disable-next-line react-hooks/exhaustive-deps -- `count` is the change signal
  const series = useMemo(() => alignMetrics(metrics), [metrics, count]);
  const latest = useRef({ series, checkpoints });
  const shape = series.names.join(",");

  useEffect(() => {
    latest.current = { series, checkpoints };
  }, [series, checkpoints]);

  useEffect(() => {
    const element = box.current;
    if (!element || latest.current.series.names.length === 0) return;
    const { names } = latest.current.series;
    const muted = cssVar("--muted", "#5b6575");
    const grid = { stroke: cssVar("--border", "#d9dee6"), width: 1 };
    const hasLr = names.some(isLearningRate);
    const options: uPlot.Options = {
      width: element.clientWidth || 440,
      height: HEIGHT,
      scales: { x: { time: false } },
      axes: [
        { stroke: muted, grid, label: t("chart.step") },
        { stroke: muted, grid, label: t("chart.loss") },
        ...(hasLr
          ? [
              {
                stroke: muted,
                scale: "lr",
                side: 1,
                grid: { show: false },
                label: t("chart.lr"),
                size: 70,
                values: (_: uPlot, splits: number[]) => splits.map((v) => v.toExponential(1)),
              },
            ]
          : []),
      ],
      series: [
        { label: t("chart.step") },
        ...names.map((name, index) => ({
          label: name,
          stroke: COLOURS[index % COLOURS.length],
          width: 1.5,
          spanGaps: true,
          scale: isLearningRate(name) ? "lr" : "y",
        })),
      ],
      plugins: [
        markers(
          () => latest.current.series,
          () => latest.current.checkpoints,
        ),
      ],
    };
    const { steps, columns } = latest.current.series;
    const chart = new uPlot(options, [steps, ...columns], element);
    plot.current = chart;
    const observer = new ResizeObserver(() =>
      chart.setSize({ width: element.clientWidth, height: HEIGHT }),
    );
    observer.observe(element);
    return () => {
      observer.disconnect();
      chart.destroy();
      plot.current = null;
    };
  }, [shape, t]);

  useEffect(() => {
    plot.current?.setData([series.steps, ...series.columns]);
  }, [series]);

  if (series.names.length === 0) {
    return <p className="muted chart-empty">{t("chart.empty")}</p>;
  }
  return <div className="loss-chart" ref={box} data-testid="loss-chart" />;
}
