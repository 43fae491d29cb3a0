// The image pipeline in the browser: what reaches the store (read from the store's own files,
// not the page), and that shrinking photos in the Web Workers never freezes the page.

import { expect, Page, test } from "@playwright/test";
import * as fs from "node:fs";
import * as path from "node:path";
import { corpus, readJpeg } from "./support/jpeg";
import * as pages from "./support/pages";
import { createProduct, hydrated, upload } from "./support/pages";
import { VitrineServer } from "./support/server";

let server: VitrineServer;
test.beforeAll(async () => {
  server = await VitrineServer.start();
});
test.afterAll(async () => {
  await server?.dispose();
});

/** Stored objects by upload folder: `{ "<seller>/<uuid>": { display: Buffer, ... } }`. */
function storedImages(): Map<string, Record<string, Buffer>> {
  const images = new Map<string, Record<string, Buffer>>();
  for (const key of server.storedObjects()) {
    const variant = path.basename(key, ".jpg");
    const folder = path.dirname(key);
    const bytes = fs.readFileSync(path.join(server.dataDir, "store/objects/vitrine-media", key));
    images.set(folder, { ...(images.get(folder) ?? {}), [variant]: bytes });
  }
  return images;
}

/** A coarse 6x4 (or 4x6) grid of luma, decoded by the browser: enough to tell rotations apart. */
async function grid(page: Page, jpeg: Buffer): Promise<number[]> {
  return page.evaluate(async (b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const bitmap = await createImageBitmap(new Blob([bytes], { type: "image/jpeg" }));
    const [w, h] = bitmap.width > bitmap.height ? [6, 4] : [4, 6];
    const canvas = new OffscreenCanvas(w, h);
    const ctx = canvas.getContext("2d")!;
    ctx.imageSmoothingQuality = "high";
    ctx.drawImage(bitmap, 0, 0, w, h);
    const data = ctx.getImageData(0, 0, w, h).data;
    const out: number[] = [];
    for (let i = 0; i < data.length; i += 4) out.push(data[i] + data[i + 1] + data[i + 2]);
    return out;
  }, jpeg.toString("base64"));
}

const maxDiff = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i])));

test("every EXIF orientation is stored upright, in three sizes, without EXIF or GPS", async ({ page }) => {
  test.setTimeout(240_000);
  await pages.signUp(page, server.url, "otto@shop.example");
  await createProduct(page, "Orientation chart");
  const files = [];
  for (let n = 0; n <= 8; n++) files.push(corpus(`orientation/Landscape_${n}.jpg`), corpus(`orientation/Portrait_${n}.jpg`));
  await upload(page, files);

  const images = [...storedImages().values()];
  expect(images).toHaveLength(18);
  const landscapes: number[][] = [];
  const portraits: number[][] = [];
  for (const variants of images) {
    expect(Object.keys(variants).sort()).toEqual(["display", "medium", "thumb"]);
    for (const bytes of Object.values(variants)) {
      const info = readJpeg(bytes);
      expect(info.markers).not.toContain(0xe1); // EXIF and XMP live in APP1
      expect(bytes.includes(Buffer.from("Exif"))).toBe(false);
      expect(bytes.includes(Buffer.from("GPS"))).toBe(false);
    }
    const display = readJpeg(variants.display);
    const sizes = ["display", "medium", "thumb"].map((v) => {
      const { width, height } = readJpeg(variants[v]);
      return `${width}x${height}`;
    });
    if (display.width > display.height) {
      expect(sizes).toEqual(["1800x1200", "1024x683", "400x267"]);
      landscapes.push(await grid(page, variants.display));
    } else {
      expect(sizes).toEqual(["1200x1800", "683x1024", "267x400"]);
      portraits.push(await grid(page, variants.display));
    }
  }
  expect(landscapes).toHaveLength(9);
  expect(portraits).toHaveLength(9);
  // Each set shows one picture: a wrong rotation or flip would move its dark and light parts.
  for (const set of [landscapes, portraits]) {
    for (const other of set.slice(1)) expect(maxDiff(set[0], other)).toBeLessThan(60);
  }
});

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
