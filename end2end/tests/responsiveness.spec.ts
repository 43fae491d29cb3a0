// Shrinking photos in the Web Workers never freezes the page.

import { expect, test } from "./support/test";
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

test("cancelling a photo mid-processing stops its worker at once, and the next photos still go", async ({ page }) => {
  test.setTimeout(240_000);
  await pages.signUp(page, server.url, "cato@shop.example");
  await createProduct(page, "Cancelled in the worker");
  await hydrated(page);
  const before = server.storedObjects().length;
  // Count workers ended by the pool.
  await page.evaluate(() => {
    const w = window as unknown as { terminated: number };
    w.terminated = 0;
    const terminate = Worker.prototype.terminate;
    Worker.prototype.terminate = function () {
      w.terminated += 1;
      return terminate.call(this);
    };
  });
  // A 64-megapixel PNG of noise: seconds of decoding in the worker, time enough to cancel.
  await page.evaluate(async () => {
    const canvas = new OffscreenCanvas(8000, 8000);
    const ctx = canvas.getContext("2d")!;
    const tile = ctx.createImageData(500, 500);
    for (let i = 0; i < tile.data.length; i++) tile.data[i] = (i * 2654435761) >>> 24;
    for (let y = 0; y < 8000; y += 500) for (let x = 0; x < 8000; x += 500) ctx.putImageData(tile, x, y);
    const blob = await canvas.convertToBlob({ type: "image/png" });
    const transfer = new DataTransfer();
    transfer.items.add(new File([blob], "huge.png", { type: "image/png" }));
    const input = document.querySelector<HTMLInputElement>("[data-testid='upload-input']")!;
    input.files = transfer.files;
    input.dispatchEvent(new Event("change", { bubbles: true }));
  });
  const item = page.getByTestId("upload-item").first();
  await expect(item).toHaveAttribute("data-state", "processing");
  await item.getByTestId("upload-cancel").click();
  await expect(item).toHaveAttribute("data-state", "cancelled");
  await expect.poll(() => page.evaluate(() => (window as unknown as { terminated: number }).terminated)).toBe(1);
  expect(server.storedObjects()).toHaveLength(before);

  // The pool replaced the worker: the next photo is processed and uploaded.
  await page.getByTestId("upload-input").setInputFiles(corpus("photos/jolla.jpg"));
  await expect(page.getByTestId("upload-item").nth(1)).toHaveAttribute("data-state", "done", { timeout: 120_000 });
  await expect(page.getByTestId("gallery-item")).toHaveCount(1);
  expect(server.storedObjects()).toHaveLength(before + 3);
});
