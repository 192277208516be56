import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, render, screen } from "@testing-library/react";
import i18n from "./i18n";
import { ErrorMessage } from "./ErrorMessage";
import { api } from "./api";
import type { ErrorPayload } from "./bindings/ErrorPayload";

const invoke = vi.hoisted(() => vi.fn());
vi.mock("@tauri-apps/api/core", () => ({ invoke }));

const unmet: ErrorPayload = {
  code: "dependency_unmet",
  message: "stage asr of experiment 'alice' needs these stages completed first: audio_slice",
  details: { stage: "asr", missing: [{ stage: "audio_slice", status: "pending" }] },
};

afterEach(cleanup);

describe("ErrorMessage", () => {
  it("shows the code as a sentence in English with the engine message as detail", async () => {
    await i18n.changeLanguage("en");
    render(<ErrorMessage error={unmet} />);
    expect(screen.getByText("Earlier stages must complete first")).toBeTruthy();
    expect(screen.getByText(unmet.message)).toBeTruthy();
    expect(screen.getByText("Needs first: Slice audio (Pending)")).toBeTruthy();
    expect(screen.getByRole("alert").textContent).not.toContain("{");
  });

  it("shows the code as a sentence in Chinese", async () => {
    await i18n.changeLanguage("zh-CN");
    render(<ErrorMessage error={{ code: "not_found", message: "x", details: null }} />);
    expect(screen.getByText("找不到")).toBeTruthy();
  });

  it("gets a payload from a rejected command, and wraps anything else as internal", async () => {
    invoke.mockRejectedValueOnce(unmet);
    await expect(api.getExperiment("alice")).rejects.toEqual(unmet);
    invoke.mockRejectedValueOnce("boom");
    await expect(api.getExperiment("alice")).rejects.toMatchObject({
      code: "internal",
      message: "boom",
    });
  });
});
