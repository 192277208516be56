import { describe, expect, it } from "vitest";
import { render, screen } from "@testing-library/react";
import i18n from "./i18n";
import { ExperimentList } from "./ExperimentList";
import { languageFromLocale } from "./i18n";

describe("ExperimentList", () => {
  it("shows the empty state in English and Chinese", async () => {
    await i18n.changeLanguage("en");
    const { unmount } = render(<ExperimentList experiments={[]} />);
    expect(screen.getByText("No experiments yet")).toBeTruthy();
    unmount();

    await i18n.changeLanguage("zh-CN");
    render(<ExperimentList experiments={[]} />);
    expect(screen.getByText("还没有实验")).toBeTruthy();
  });

  it("picks the UI language from the system locale", () => {
    expect(languageFromLocale("zh-TW")).toBe("zh-CN");
    expect(languageFromLocale("en-US")).toBe("en");
    expect(languageFromLocale(undefined)).toBe("en");
  });
});
