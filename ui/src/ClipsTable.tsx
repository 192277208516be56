import { useState, type KeyboardEvent } from "react";
import { useTranslation } from "react-i18next";
import type { ClipInfo } from "./api";
import { ErrorMessage } from "./ErrorMessage";
import { baseName, resolvePath } from "./format";
import { usePlayback } from "./usePlayback";
import { Waveform } from "./Waveform";

/** The clips audio_slice wrote: waveform of the selected one, then a table; space plays, arrows move. */
export function ClipsTable({ clips, dir }: { clips: ClipInfo[]; dir: string }) {
  const { t } = useTranslation();
  const [selected, setSelected] = useState(0);
  const playback = usePlayback();
  const current = clips[selected];
  const currentPath = current ? resolvePath(dir, current.path) : null;

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === " " && currentPath) {
      event.preventDefault();
      playback.toggle(currentPath);
    } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      setSelected((index) => Math.min(clips.length - 1, Math.max(0, index + step)));
    }
  };

  if (clips.length === 0) return <p className="muted">{t("clips.none")}</p>;

  return (
    <div className="clips" tabIndex={0} onKeyDown={onKeyDown} aria-label={t("clips.heading")}>
      <div className="clips-heading">
        <h3>{t("clips.heading")}</h3>
        <span className="muted small">{t("clips.keys")}</span>
      </div>
      {playback.error && <ErrorMessage error={playback.error} onDismiss={playback.clearError} />}
      {currentPath && (
        <Waveform
          path={currentPath}
          position={playback.playing === currentPath ? (playback.position?.at ?? 0) : null}
        />
      )}
      <div className="clips-scroll">
        <table className="data-table" data-testid="clips-table">
          <thead>
            <tr>
              <th className="play-column" />
              <th>{t("clips.name")}</th>
              <th className="numeric duration-column">{t("clips.duration")}</th>
              <th className="numeric peak-column">{t("clips.peak")}</th>
            </tr>
          </thead>
          <tbody>
            {clips.map((clip, index) => {
              const path = resolvePath(dir, clip.path);
              const isPlaying = playback.playing === path;
              return (
                <tr
                  key={clip.path}
                  className={index === selected ? "selected" : ""}
                  aria-selected={index === selected}
                  onClick={() => setSelected(index)}
                >
                  <td>
                    <button
                      type="button"
                      className="play-button"
                      aria-label={isPlaying ? t("clips.stop") : t("clips.play")}
                      onClick={(event) => {
                        event.stopPropagation();
                        setSelected(index);
                        playback.toggle(path);
                      }}
                    >
                      {isPlaying ? "■" : "▶"}
                    </button>
                  </td>
                  <td
                    className="clip-name"
                    title={`${clip.path}\n${t("clips.source")}: ${clip.source}`}
                  >
                    {baseName(clip.path)}
                  </td>
                  <td className="numeric">{clip.duration_s.toFixed(2)} s</td>
                  <td className="numeric">{clip.peak_dbfs.toFixed(1)} dBFS</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
}
