import { useEffect, useRef } from "react";
import { useTranslation } from "react-i18next";
import type { LogLine } from "./useExperimentLive";

/** The last lines a stage logged, kept scrolled to the newest. */
export function LogTail({ lines }: { lines: LogLine[] }) {
  const { t } = useTranslation();
  const box = useRef<HTMLPreElement>(null);

  useEffect(() => {
    const element = box.current;
    if (element) element.scrollTop = element.scrollHeight;
  }, [lines]);

  return (
    <pre className="log-tail" ref={box} aria-label={t("stagePanel.log")}>
      {lines.length === 0 ? (
        <span className="muted">{t("stagePanel.noLog")}</span>
      ) : (
        lines.map((line) => (
          <div key={line.seq} className={`log-${line.level}`}>
            {new Date(line.time).toLocaleTimeString()} {line.message}
          </div>
        ))
      )}
    </pre>
  );
}
