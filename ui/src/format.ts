/** Seconds as `m:ss` or `h:mm:ss`. */
export function formatDuration(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = whole % 60;
  const ss = String(s).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/** Milliseconds since the epoch as a local date and time in the UI language. */
export function formatTime(ms: number, language: string): string {
  return new Date(ms).toLocaleString(language, { dateStyle: "medium", timeStyle: "short" });
}

/** The last part of a path, for either separator. */
export function baseName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] || path;
}

/** A path as given when absolute, otherwise inside `dir`. */
export function resolvePath(dir: string, path: string): string {
  if (path.startsWith("/") || /^[A-Za-z]:[\\/]/.test(path) || path.startsWith("\\\\")) return path;
  return `${dir.replace(/[\\/]$/, "")}/${path}`;
}
