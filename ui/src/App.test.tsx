import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import i18n from "./i18n";
import { App } from "./App";

const invoke = vi.hoisted(() => vi.fn());
vi.mock("@tauri-apps/api/core", async (original) => ({
  ...(await original<typeof import("@tauri-apps/api/core")>()),
  invoke,
}));
vi.mock("@tauri-apps/api/event", () => ({ listen: vi.fn(async () => () => undefined) }));

afterEach(() => {
  cleanup();
  invoke.mockReset();
});

describe("App", () => {
  it("shows the empty experiment list, switches language, and opens New experiment", async () => {
    await i18n.changeLanguage("en");
    invoke.mockImplementation(async (command: string) => {
      if (command === "list_experiments") return { items: [], total: 0, limit: 20, offset: 0 };
      if (command === "torch_report") throw { code: "internal", message: "x", details: null };
      throw { code: "internal", message: `unexpected ${command}`, details: null };
    });
    render(<App />);
    const list = await screen.findByTestId("experiment-list");
    expect(list.textContent).toContain("Experiments");
    expect(list.textContent).toContain("No experiments yet");

    fireEvent.change(screen.getByDisplayValue("English"), { target: { value: "zh-CN" } });
    expect(await screen.findByText("还没有实验")).toBeTruthy();

    fireEvent.click(screen.getByText("新建实验"));
    expect(await screen.findByText("把音频文件或文件夹拖到这里")).toBeTruthy();
    expect((screen.getByText("创建实验") as HTMLButtonElement).disabled).toBe(true);
  });
});
