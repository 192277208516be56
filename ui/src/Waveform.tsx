import { useEffect, useState } from "react";
import { api, type WaveformPeaks } from "./api";

const BUCKETS = 400;

/** A clip's waveform from the engine's peaks, with a cursor at the playback position. */
export function Waveform({ path, position }: { path: string; position: number | null }) {
  const [peaks, setPeaks] = useState<{ path: string; peaks: WaveformPeaks } | null>(null);

  useEffect(() => {
    let current = true;
    api
      .waveform(path, BUCKETS)
      .then((result) => current && setPeaks({ path, peaks: result }))
      .catch(() => undefined);
    return () => {
      current = false;
    };
  }, [path]);

  const shown = peaks?.path === path ? peaks.peaks : null;
  const count = Math.max(1, shown?.buckets.length ?? 1);
  const area = shown
    ? shown.buckets.map((b, i) => `M${i} ${50 - b.max * 48}V${50 - b.min * 48}`).join("")
    : "";
  const cursor =
    shown && position !== null && shown.duration_s > 0
      ? (position / shown.duration_s) * count
      : null;

  return (
    <svg
      className="waveform"
      viewBox={`0 0 ${count} 100`}
      preserveAspectRatio="none"
      data-testid="waveform"
    >
      <line x1="0" x2={count} y1="50" y2="50" className="waveform-axis" />
      <path d={area} className="waveform-peaks" />
      {cursor !== null && (
        <line x1={cursor} x2={cursor} y1="0" y2="100" className="waveform-cursor" />
      )}
    </svg>
  );
}
