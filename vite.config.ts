import { defineConfig } from "vitest/config";
import react from "@vitejs/plugin-react";

// The frontend lives in ui/; Tauri loads ui/dist in builds and the dev server in `tauri dev`.
export default defineConfig({
  root: "ui",
  plugins: [react()],
  clearScreen: false,
  server: { port: 1420, strictPort: true },
  build: { outDir: "dist", emptyOutDir: true, target: "es2022" },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.{ts,tsx}"],
  },
});
