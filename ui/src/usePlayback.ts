import { useEffect, useState } from "react";
import { api, onPlaybackEvent, subscribe } from "./api";
import type { ErrorPayload } from "./bindings/ErrorPayload";

/** Which file is playing (through the Rust audio preview) and where playback is. */
export function usePlayback() {
  const [playing, setPlaying] = useState<string | null>(null);
  const [position, setPosition] = useState<{ at: number; of: number } | null>(null);
  const [error, setError] = useState<ErrorPayload | null>(null);

  useEffect(
    () =>
      subscribe(() =>
        onPlaybackEvent((event) => {
          if (event.type === "started") setPosition({ at: 0, of: event.duration_s });
          else if (event.type === "position") {
            setPosition({ at: event.position_s, of: event.duration_s });
          } else {
            setPlaying(null);
            setPosition(null);
            if (event.type === "failed") {
              setError({ code: "internal", message: event.reason, details: null });
            }
          }
        }),
      ),
    [],
  );

  useEffect(() => () => void api.stopAudio().catch(() => undefined), []);

  const toggle = (path: string) => {
    setError(null);
    if (playing === path) {
      setPlaying(null);
      void api.stopAudio().catch(() => undefined);
      return;
    }
    setPlaying(path);
    setPosition(null);
    api.playAudio(path).catch((failure: ErrorPayload) => {
      setPlaying(null);
      setError(failure);
    });
  };

  return { playing, position, error, toggle, clearError: () => setError(null) };
}
