// A person's first session, on the real app under Xvfb: create an experiment from a folder of
// recordings, run the slicer and watch it finish, listen to a clip, switch the language, delete
// the experiment. A screenshot of each screen is saved under target/screenshots/.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { openApp, poll, startDriver } from "./webdriver.mjs";

const work = mkdtempSync(path.join(tmpdir(), "gsv-e2e-screens-"));
const recordings = path.join(work, "录音 samples");
const capture = path.join(work, "played.raw");
let driver;
let app;

/** Speech with a pause after each sentence, as a long recording would have. */
function makeRecording(name, sentences) {
  const parts = sentences.map((sentence, index) => {
    const spoken = path.join(work, `${name}-${index}.wav`);
    const paused = path.join(work, `${name}-${index}-paused.wav`);
    execFileSync("espeak-ng", ["-s", "150", "-w", spoken, sentence]);
    execFileSync("sox", [spoken, paused, "pad", "0", "0.8"]);
    return paused;
  });
  execFileSync("sox", [...parts, path.join(recordings, `${name}.wav`)]);
}

/** The default ALSA device records into a file, so the test can tell that sound came out. */
function alsaCaptureConfig() {
  const conf = path.join(work, "capture.conf");
  writeFileSync(
    conf,
    `pcm.!default {\n  type plug\n  slave { pcm "gsv_capture"\n format S16_LE\n channels 1\n rate 48000 }\n}\n` +
      `pcm.gsv_capture {\n  type file\n  slave.pcm "null"\n  file "${capture}"\n  format "raw"\n}\n`,
  );
  return `/usr/share/alsa/alsa.conf:${conf}`;
}

before(async () => {
  mkdirSync(recordings, { recursive: true });
  const sentences = [
    "The quick brown fox jumps over the lazy dog, and then it runs far away into the forest.",
    "A voice model learns from many short clips of clear speech, recorded in a quiet room.",
    "Each clip is cut at a pause, so that no word is split in the middle of a syllable.",
  ];
  makeRecording("first take", sentences);
  makeRecording("second take", [...sentences].reverse());

  driver = await startDriver({ ALSA_CONFIG_PATH: alsaCaptureConfig() });
  app = await openApp(driver.url);
});

after(async () => {
  await app?.close().catch(() => {});
  driver?.stop();
});

async function clickButton(label) {
  await app.click(await app.waitFor(`//button[normalize-space()='${label}']`));
}

async function chooseUiLanguage(value) {
  await app.click(await app.waitFor(`.language-picker option[value="${value}"]`));
}

test("a new experiment is created from a folder of recordings", async () => {
  await chooseUiLanguage("en");
  await clickButton("New experiment");
  await app.screenshot("new-experiment-empty");

  await app.type(await app.waitFor(".new-experiment input"), "first voice");
  await app.type(await app.waitFor(".path-entry input"), recordings);
  await clickButton("Add");
  const summary = await app.text(await app.waitFor('[data-testid="import-summary"]', 30000));
  assert.match(summary, /2/, `two recordings found: ${summary}`);
  await app.screenshot("new-experiment-probed");

  await clickButton("Create experiment");
  await app.waitFor('[data-testid="stage-graph"]', 30000);
  await app.screenshot("experiment-graph");
});

test("the slicer runs from its node and the node goes to completed", async () => {
  const node = await app.waitFor('[data-testid="stage-audio_slice"]');
  await app.click(node);
  await app.waitFor('[data-testid="stage-panel"]');

  // Record every status the node shows, however briefly.
  await app.execute(
    `const node = document.querySelector('[data-testid="stage-audio_slice"]');
     window.__statuses = [node.dataset.status];
     new MutationObserver(() => window.__statuses.push(node.dataset.status))
       .observe(node, { attributes: true, attributeFilter: ["data-status"] });`,
  );
  await clickButton("Run");

  await poll(60000, async () => {
    const status = await app.attribute(node, "data-status");
    if (status === "failed") throw new Error("audio_slice failed");
    return status === "completed" ? status : undefined;
  });
  const statuses = await app.execute("return window.__statuses;");
  assert.equal(statuses.at(-1), "completed", statuses.join(" → "));
  assert.ok(
    statuses.some((status) => status === "queued" || status === "running"),
    `the node showed the run: ${statuses.join(" → ")}`,
  );
  await app.screenshot("experiment-slicer-completed");
});

test("the clips are listed and one plays through the audio device", async () => {
  await app.waitFor('[data-testid="clips-table"]', 30000);
  // Long names are cut with an ellipsis on screen; the table still holds them whole.
  const rows = await app.execute(
    `return document.querySelector('[data-testid="clips-table"]').textContent;`,
  );
  assert.match(rows, /first take\.wav_\d{10}_\d{10}/, rows);
  await app.screenshot("clips");

  await app.click(await app.waitFor(".play-button"));
  const played = await poll(15000, async () =>
    existsSync(capture) && statSync(capture).size > 48000 ? statSync(capture).size : undefined,
  );
  assert.ok(played > 48000, `${played} bytes of sound reached the device`);
});

test("switching the language changes the labels", async () => {
  await chooseUiLanguage("zh-CN");
  await app.waitFor("//button[normalize-space()='实验']");
  await app.screenshot("experiment-zh");
  await chooseUiLanguage("en");
  await app.waitFor("//button[normalize-space()='Experiments']");
});

test("settings are kept in the data folder, where gsv doctor reads them", async () => {
  await clickButton("Settings");
  await app.click(await app.waitFor('option[value="dark"]'));
  const settingsFile = path.join(app.dataDir, "settings.json");
  const saved = await poll(5000, async () => {
    const stored = JSON.parse(readFileSync(settingsFile, "utf8"));
    return stored.theme === "dark" ? stored : undefined;
  });
  assert.equal(saved.language, "en", JSON.stringify(saved));
  await app.screenshot("settings-dark");
  await app.click(await app.waitFor('option[value="light"]'));
});

test("the experiment is deleted after a confirmation naming it", async () => {
  await clickButton("Experiments");
  const list = await app.waitFor('[data-testid="experiment-list"]');
  assert.match(await app.text(list), /first voice/);
  await app.screenshot("experiments");

  await app.click(await app.waitFor('[data-testid="experiment-list"] button.danger'));
  const dialog = await app.waitFor('[role="dialog"]');
  assert.match(await app.text(dialog), /“first voice”/);
  await app.screenshot("delete-confirmation");
  await app.click(await app.waitFor('[role="dialog"] button.danger'));

  await app.waitFor("//*[normalize-space()='No experiments yet']", 15000);
  const folders = execFileSync("ls", [path.join(app.dataDir, "experiments")])
    .toString()
    .trim();
  assert.equal(folders, "", "the experiment folder is gone");
});
