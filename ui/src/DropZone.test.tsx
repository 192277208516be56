import { afterEach, describe, expect, it, vi } from "vitest";
import { act, cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import i18n from "./i18n";
import { NewExperimentScreen } from "./NewExperimentScreen";
import { mergePaths } from "./DropZone";

type Handler = (event: { payload: unknown }) => void;
const handlers = vi.hoisted(() => new Map<string, Handler>());
const invoke = vi.hoisted(() => vi.fn());
vi.mock("@tauri-apps/api/core", () => ({ invoke }));
vi.mock("@tauri-apps/api/event", () => ({
  listen: vi.fn(async (name: string, handler: Handler) => {
    handlers.set(name, handler);
    return () => handlers.delete(name);
  }),
}));

function emit(name: string, payload: unknown) {
  const handler = handlers.get(name);
  if (!handler) throw new Error(`nobody listens to ${name}`);
  act(() => handler({ payload }));
}

afterEach(() => {
  cleanup();
  invoke.mockReset();
  handlers.clear();
});

describe("drop zone", () => {
  it("merges paths in order without duplicates or blanks", () => {
    expect(mergePaths(["/a"], ["/b", "/a", " ", "/c "])).toEqual(["/a", "/b", "/c"]);
  });

  it("probes dropped files and folders and shows what was found and skipped", async () => {
    await i18n.changeLanguage("en");
    invoke.mockImplementation(async (command: string, args: { paths?: string[] }) => {
      if (command === "torch_report")
        throw { code: "internal", message: "no torch", details: null };
      if (command === "probe_audio") {
        return {
          files: [],
          count: args.paths?.length === 2 ? 3 : 1,
          total_duration_s: 125,
          formats: { mp3: 1, pcm_s16le: 2 },
          skipped: [{ path: "/rec/notes.wav", code: "decode", reason: "not an audio stream" }],
        };
      }
      throw new Error(`unexpected ${command}`);
    });
    render(<NewExperimentScreen onCreated={() => undefined} onCancel={() => undefined} />);
    await waitFor(() => expect(handlers.has("tauri://drag-drop")).toBe(true));

    emit("tauri://drag-enter", { paths: ["/rec"], position: { x: 0, y: 0 } });
    expect(screen.getByTestId("drop-zone").className).toContain("hovering");
    emit("tauri://drag-drop", { paths: ["/rec", "/more/a.mp3"], position: { x: 0, y: 0 } });
    expect(screen.getByTestId("drop-zone").className).not.toContain("hovering");

    await screen.findByText("3 files");
    expect(invoke).toHaveBeenCalledWith("probe_audio", { paths: ["/rec", "/more/a.mp3"] });
    expect(screen.getByText("2:05")).toBeTruthy();
    expect(screen.getByText("mp3 × 1, pcm_s16le × 2")).toBeTruthy();
    expect(screen.getByText("1 file will be skipped")).toBeTruthy();
    expect(screen.getByText(/not an audio stream/)).toBeTruthy();

    // Dropping the same folder again adds nothing; a pasted path is added.
    emit("tauri://drag-drop", { paths: ["/rec"], position: { x: 0, y: 0 } });
    fireEvent.change(screen.getByLabelText("Path of a file or folder"), {
      target: { value: "/third" },
    });
    fireEvent.click(screen.getByText("Add"));
    await waitFor(() =>
      expect(invoke).toHaveBeenLastCalledWith("probe_audio", {
        paths: ["/rec", "/more/a.mp3", "/third"],
      }),
    );
  });
});
