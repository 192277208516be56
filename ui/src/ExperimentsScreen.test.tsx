import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import i18n from "./i18n";
import { ExperimentsScreen } from "./ExperimentsScreen";
import type { Experiment } from "./bindings/Experiment";

const invoke = vi.hoisted(() => vi.fn());
vi.mock("@tauri-apps/api/core", () => ({ invoke }));
vi.mock("@tauri-apps/api/event", () => ({ listen: vi.fn(async () => () => undefined) }));

afterEach(() => {
  cleanup();
  invoke.mockReset();
});

const experiment = (index: number): Experiment => ({
  id: `id-${index}`,
  name: `voice-${index}`,
  description: "",
  language: "ja",
  model_version: "v2",
  base_models: {},
  device: "cpu",
  sources: [],
  status: index === 1 ? "completed" : "pending",
  created_at: Date.UTC(2026, 0, 1),
  updated_at: Date.UTC(2026, 0, 2),
  dir: `/data/id-${index}`,
});

describe("ExperimentsScreen", () => {
  it("lists a page with status and language, pages, filters and deletes after confirming", async () => {
    await i18n.changeLanguage("en");
    const all = Array.from({ length: 25 }, (_, index) => experiment(index + 1));
    invoke.mockImplementation(
      async (command: string, args: { query?: { limit?: number; offset?: number } }) => {
        if (command === "list_experiments") {
          const { limit = 50, offset = 0 } = args.query ?? {};
          return { items: all.slice(offset, offset + limit), total: all.length, limit, offset };
        }
        if (command === "delete_experiment") {
          return { experiment_id: "id-1", dir: "", folder_removed: true, folder_error: null };
        }
        throw new Error(`unexpected ${command}`);
      },
    );
    const opened: string[] = [];
    render(<ExperimentsScreen onOpen={(id) => opened.push(id)} onCreate={() => {}} />);

    const first = (await screen.findByText("voice-1")).closest("tr");
    expect(first?.textContent).toContain("Completed");
    expect(first?.textContent).toContain("Japanese");
    expect(screen.getByText("1–20 of 25")).toBeTruthy();

    fireEvent.click(screen.getByText("Next"));
    expect(await screen.findByText("21–25 of 25")).toBeTruthy();
    expect(invoke).toHaveBeenLastCalledWith("list_experiments", {
      query: { status: undefined, limit: 20, offset: 20 },
    });

    fireEvent.change(screen.getByDisplayValue("All"), { target: { value: "failed" } });
    await waitFor(() =>
      expect(invoke).toHaveBeenLastCalledWith("list_experiments", {
        query: { status: "failed", limit: 20, offset: 0 },
      }),
    );

    const row = (await screen.findByText("voice-1")).closest("tr") as HTMLElement;
    fireEvent.click(within(row).getByText("Open"));
    expect(opened).toEqual(["id-1"]);
    fireEvent.click(within(row).getByText("Delete"));
    const dialog = screen.getByRole("dialog");
    expect(dialog.textContent).toContain("Delete “voice-1”?");
    fireEvent.click(within(dialog).getByText("Delete"));
    await waitFor(() => expect(invoke).toHaveBeenCalledWith("delete_experiment", { key: "id-1" }));
  });
});
