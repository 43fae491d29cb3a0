// Shrinking photos in the Web Workers never freezes the page.

import { expect, test } from "@playwright/test";
import { corpus } from "./support/jpeg";
import * as pages from "./support/pages";
import { createProduct, hydrated } from "./support/pages";
import { VitrineServer } from "./support/server";

let server: VitrineServer;
test.beforeAll(async () => {
  server = await VitrineServer.start();
});
test.afterAll(async () => {
  await server?.dispose();
});

// Tracing snapshots the DOM on the page's main thread at every step: that work is the test's,
// not the page's, and would show up as long tasks.
test.use({ trace: "off" });

test("the page never freezes: no main-thread task over 50 ms while six large photos are shrunk", async ({ page }) => {
  test.setTimeout(240_000);
  await pages.signUp(page, server.url, "lena@shop.example");
  await createProduct(page, "Heavy batch");
  await hydrated(page);
  // Hold the transfers to the store until every photo is processed, so what is measured is the
  // processing alone (the gallery redrawing as images register comes after).
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  await page.route(
    (url) => url.pathname.startsWith("/vitrine-media"),
    async (route) => {
      await gate;
      await route.continue();
    },
  );
  const files = [
    "photos/phone-24mp-orient6-gps.jpg",
    "photos/corrupt-exif-10mp.jpg",
    "photos/jolla.jpg",
    "photos/progressive.jpg",
    "photos/cmyk.jpg",
    "photos/canon_hdr_NO.jpg",
  ];
  await page.getByTestId("upload-input").setInputFiles(files.map(corpus));
  // Watch from the moment the six rows are drawn (drawing them is the page answering the
  // click, in a debug build here) until every photo is processed and waits at the gate.
  // Waiting uses a cheap in-page check: Playwright's own retrying assertions build
  // accessibility snapshots on the main thread, which would count as long tasks themselves.
  await page.waitForFunction(() => document.querySelectorAll("[data-testid='upload-item']").length === 6);
  await page.evaluate(() => {
    const w = window as unknown as { longTasks: number[] };
    w.longTasks = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) w.longTasks.push(Math.round(entry.duration));
    }).observe({ type: "longtask" });
  });
  await page.waitForFunction(
    () =>
      [...document.querySelectorAll("[data-testid='upload-item']")].every(
        (item) => item.getAttribute("data-state") === "uploading",
      ),
    null,
    { timeout: 120_000, polling: 250 },
  );
  const items = page.getByTestId("upload-item");
  const longTasks = () => page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks);
  const whileProcessing = await longTasks();

  // The observer is alive: a task blocked on purpose is seen.
  await page.evaluate(() =>
    setTimeout(() => {
      const end = performance.now() + 80;
      while (performance.now() < end);
    }, 0),
  );
  await expect.poll(async () => (await longTasks()).length).toBeGreaterThan(whileProcessing.length);
  expect(whileProcessing).toEqual([]);

  release();
  for (const item of await items.all()) {
    await expect(item).toHaveAttribute("data-state", "done", { timeout: 120_000 });
  }
  await expect(page.getByTestId("gallery-item")).toHaveCount(6);
});
