import { useTranslation } from "react-i18next";

/** What the list shows of one experiment. */
export interface ExperimentRow {
  id: string;
  name: string;
  language: string;
}

/** The experiment list, with an empty state that says what to do next. */
export function ExperimentList({ experiments }: { experiments: ExperimentRow[] }) {
  const { t } = useTranslation();

  return (
    <section className="experiment-list" data-testid="experiment-list">
      <h2>{t("experiments.heading")}</h2>
      {experiments.length === 0 ? (
        <div className="empty-state">
          <p className="empty-title">{t("experiments.empty")}</p>
          <p className="empty-hint">{t("experiments.emptyHint")}</p>
        </div>
      ) : (
        <ul>
          {experiments.map((experiment) => (
            <li key={experiment.id}>
              {experiment.name} · {experiment.language}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
