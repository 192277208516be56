// A small W3C WebDriver client over fetch, and the lifecycle of tauri-driver around the real
// GSV Studio binary. The tests run under Xvfb (test.sh starts them through xvfb-run).

import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const screenshotDir = path.join(repoRoot, "target", "screenshots");

/** The app binary the tests drive: the one `tauri build --debug --no-bundle` makes. */
export function appBinary() {
  return process.env.GSV_APP_BINARY ?? path.join(repoRoot, "target", "debug", "gsv-studio");
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Calls `attempt` until it returns something other than undefined without throwing. */
export async function poll(timeoutMs, attempt) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const value = await attempt();
      if (value !== undefined) return value;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline) throw new Error(`nothing after ${timeoutMs} ms`);
    await sleep(200);
  }
}

/**
 * Starts tauri-driver on a free-ish port and waits until it answers `/status`. The app it
 * starts inherits `environment` on top of ours.
 */
export async function startDriver(environment = {}) {
  const port = 4444 + Math.floor(Math.random() * 2000);
  const nativePort = port + 2000;
  const driver = spawn(
    "tauri-driver",
    ["--port", String(port), "--native-port", String(nativePort)],
    { stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, ...environment } },
  );
  const url = `http://127.0.0.1:${port}`;

  for (let attempt = 0; attempt < 100; attempt += 1) {
    if (driver.exitCode !== null) throw new Error(`tauri-driver exited with ${driver.exitCode}`);
    try {
      const response = await fetch(`${url}/status`);
      if (response.ok) return { url, stop: () => driver.kill("SIGTERM") };
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  driver.kill("SIGKILL");
  throw new Error("tauri-driver did not answer /status within 10 s");
}

async function call(method, url, body) {
  const response = await fetch(url, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const payload = await response.json();
  if (!response.ok) {
    throw new Error(`${method} ${url} failed: ${JSON.stringify(payload.value ?? payload)}`);
  }
  return payload.value;
}

/**
 * A WebDriver session on the app, with a fresh data folder of its own. WebKitWebDriver starts
 * the app without our environment, so the folder goes as the app's `--data-dir` argument.
 */
export async function openApp(driverUrl) {
  const dataDir = mkdtempSync(path.join(tmpdir(), "gsv-e2e-data-"));
  const session = await call("POST", `${driverUrl}/session`, {
    capabilities: {
      alwaysMatch: {
        browserName: "wry",
        "tauri:options": { application: appBinary(), args: ["--data-dir", dataDir] },
      },
    },
  });
  const base = `${driverUrl}/session/${session.sessionId}`;

  return {
    dataDir,
    title: () => call("GET", `${base}/title`),
    find: async (selector) => {
      const element = await call("POST", `${base}/element`, {
        using: "css selector",
        value: selector,
      });
      return Object.values(element)[0];
    },
    findXpath: async (xpath) => {
      const element = await call("POST", `${base}/element`, { using: "xpath", value: xpath });
      return Object.values(element)[0];
    },
    text: (elementId) => call("GET", `${base}/element/${elementId}/text`),
    attribute: (elementId, name) => call("GET", `${base}/element/${elementId}/attribute/${name}`),
    click: (elementId) => call("POST", `${base}/element/${elementId}/click`, {}),
    type: (elementId, text) => call("POST", `${base}/element/${elementId}/value`, { text }),
    waitFor: (selector, timeoutMs = 15000) =>
      poll(timeoutMs, async () => {
        const using = selector.startsWith("/") ? "xpath" : "css selector";
        const element = await call("POST", `${base}/element`, { using, value: selector });
        return Object.values(element)[0];
      }),
    execute: (script, args = []) => call("POST", `${base}/execute/sync`, { script, args }),
    screenshot: async (name) => {
      // Two animation frames, so the picture shows what was last rendered.
      await call("POST", `${base}/execute/async`, {
        script:
          "const done = arguments[arguments.length - 1];" +
          "requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
        args: [],
      });
      const png = await call("GET", `${base}/screenshot`);
      mkdirSync(screenshotDir, { recursive: true });
      const file = path.join(screenshotDir, `${name}.png`);
      writeFileSync(file, Buffer.from(png, "base64"));
      return file;
    },
    close: () => call("DELETE", base),
  };
}
