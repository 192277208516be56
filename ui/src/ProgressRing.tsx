/** A small ring that fills with the share done; an empty ring of the same size otherwise. */
export function ProgressRing({ fraction }: { fraction: number | null }) {
  const radius = 9;
  const circumference = 2 * Math.PI * radius;
  const shown = fraction === null ? 0 : Math.min(1, Math.max(0, fraction));
  return (
    <svg className="progress-ring" width="24" height="24" viewBox="0 0 24 24" aria-hidden="true">
      <circle cx="12" cy="12" r={radius} className="progress-ring-track" />
      {fraction !== null && (
        <circle
          cx="12"
          cy="12"
          r={radius}
          className="progress-ring-fill"
          strokeDasharray={circumference}
          strokeDashoffset={circumference * (1 - shown)}
          transform="rotate(-90 12 12)"
        />
      )}
    </svg>
  );
}
