// The real app window under Xvfb, driven over WebDriver: it opens with the product name and
// its first screen, and a screenshot is saved for a person to look at.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { openApp, startDriver } from "./webdriver.mjs";

let driver;
let app;

before(async () => {
  driver = await startDriver();
  app = await openApp(driver.url);
});

after(async () => {
  await app?.close().catch(() => {});
  driver?.stop();
});

test("the window has the product name as its title", async () => {
  assert.equal(await app.title(), "GSV Studio");
});

test("the first screen shows the experiment list with its empty state", async () => {
  const list = await app.waitFor('[data-testid="experiment-list"]');
  const text = await app.text(list);
  assert.match(text, /Experiments|实验/);
  assert.match(text, /No experiments yet|还没有实验/);
});

test("a screenshot of the first screen is saved under target/", async () => {
  const file = await app.screenshot("first-screen");
  assert.ok(statSync(file).size > 5000, `${file} holds a real picture`);
});

test("the app keeps its database in the data folder it was given", () => {
  assert.ok(existsSync(path.join(app.dataDir, "gsv.sqlite3")), `no database in ${app.dataDir}`);
});
