import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { onDragDrop, subscribe } from "./api";

/** Adds new paths to a list, keeping order and dropping duplicates and blanks. */
export function mergePaths(current: string[], added: string[]): string[] {
  const seen = new Set(current);
  const merged = [...current];
  for (const raw of added) {
    const path = raw.trim();
    if (path && !seen.has(path)) {
      seen.add(path);
      merged.push(path);
    }
  }
  return merged;
}

/**
 * Where recordings come in: files and folders dropped on the window, or a path typed or pasted.
 *
 * Limitation: there is no "choose files" button yet; a native file dialog needs
 * tauri-plugin-dialog, which the shell does not include.
 */
export function DropZone({
  paths,
  onChange,
}: {
  paths: string[];
  onChange: (paths: string[]) => void;
}) {
  const { t } = useTranslation();
  const [hovering, setHovering] = useState(false);
  const [typed, setTyped] = useState("");
  const latest = useRef({ paths, onChange });

  useEffect(() => {
    latest.current = { paths, onChange };
  }, [paths, onChange]);

  useEffect(
    () =>
      subscribe(() =>
        onDragDrop((event) => {
          setHovering(event.type === "enter" || event.type === "over");
          if (event.type === "drop") {
            latest.current.onChange(mergePaths(latest.current.paths, event.paths));
          }
        }),
      ),
    [],
  );

  const addTyped = () => {
    onChange(mergePaths(paths, [typed]));
    setTyped("");
  };

  return (
    <div className="drop-area">
      <div className={`drop-zone${hovering ? " hovering" : ""}`} data-testid="drop-zone">
        <p className="drop-title">{t("newExperiment.dropTitle")}</p>
        <p className="muted small">{t("newExperiment.dropHint")}</p>
      </div>
      <div className="path-entry">
        <input
          type="text"
          value={typed}
          placeholder={t("newExperiment.pathPlaceholder")}
          aria-label={t("newExperiment.pathLabel")}
          onChange={(event) => setTyped(event.target.value)}
          onKeyDown={(event) => {
            if (event.key === "Enter") {
              event.preventDefault();
              addTyped();
            }
          }}
        />
        <button type="button" onClick={addTyped} disabled={!typed.trim()}>
          {t("newExperiment.addPath")}
        </button>
      </div>
      {paths.length > 0 && (
        <ul className="source-list" aria-label={t("newExperiment.sources")}>
          {paths.map((path) => (
            <li key={path}>
              <span className="source-path">{path}</span>
              <button
                type="button"
                className="link-button"
                onClick={() => onChange(paths.filter((other) => other !== path))}
              >
                {t("newExperiment.remove")}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
