// The image pipeline in the browser: what reaches the store, read from the store's own files,
// not the page.

import { Page } from "@playwright/test";
import { expect, test } from "./support/test";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { corpus, readJpeg } from "./support/jpeg";
import * as pages from "./support/pages";
import { createProduct, upload } from "./support/pages";
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

/** `photo` straight to a photo worker, shared with a helper (once the helper is up) and not:
 * what the helper did and each variant's name, size and SHA-256, both times. */
async function sharedAndAlone(page: Page, photo: Buffer): Promise<any[]> {
  return page.evaluate(async (data) => {
    const file = new Blob([new Uint8Array(data)]);
    const worker = new Worker("/worker/worker.js", { type: "module" });
    const ask = (share: boolean) =>
      new Promise<any>((resolve) => {
        worker.onmessage = ({ data }) => resolve(data);
        worker.postMessage({ file, share });
      });
    const digest = (r: any) =>
      r.error ? { error: r.error } : { helped: r.helped, sha: r.variants.map((v: any) => `${v.variant} ${v.width}x${v.height} ${v.sha256}`) };
    // The first photo alone starts the helper without waiting for it; once its module is
    // loaded, a photo worth sharing is shared.
    let shared = await ask(true);
    for (let tries = 0; tries < 30 && !shared.error && !shared.helped; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      shared = await ask(true);
    }
    const out = [digest(shared), digest(await ask(false))];
    worker.terminate();
    return out;
  }, [...photo]);
}

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

/** A file of fixtures/heif/ (made by scripts/make-heif-fixtures.py, with libheif's decode beside each). */
const heif = (name: string) => path.resolve(__dirname, "../../fixtures/heif", name);

test("iPhone photos (HEIC) are read only when one is picked, stored upright in three sizes without EXIF, and a damaged one is refused", async ({ page }, testInfo) => {
  test.setTimeout(180_000);
  // Requests the page's photo workers make, HEIC module included.
  const fetched: string[] = [];
  page.context().on("request", (r) => fetched.push(new URL(r.url()).pathname));
  await pages.signUp(page, server.url, "hana@shop.example");
  await createProduct(page, "Ceramic cups");
  const before = new Set(storedImages().keys());

  // A usual photo: the worker loads, the HEIC module does not.
  await upload(page, [corpus("photos/Reconyx_HC500_Hyperfire.jpg")]);
  expect(fetched.filter((p) => p.endsWith("/worker/vitrine_worker_bg.wasm")).length).toBeGreaterThan(0);
  expect(fetched.filter((p) => p.includes("heic"))).toEqual([]);

  // iPhone-style files: a grid of 512 px tiles turned by `irot` with EXIF Orientation 6 besides;
  // a cut-out with an alpha plane; the corpus's HEIF.
  await upload(page, [heif("rotated.heic"), heif("alpha.heic"), corpus("photos/samplefilehub.heif")]);
  expect(fetched.filter((p) => p.endsWith("/worker/vitrine_worker_heic_bg.wasm")).length).toBeGreaterThan(0);
  await expect(page.getByTestId("upload-error")).toHaveCount(0);

  const added = [...storedImages()].filter(([folder]) => !before.has(folder)).map(([, variants]) => variants);
  expect(added).toHaveLength(4);
  const displays: number[][] = [];
  for (const variants of added) {
    expect(Object.keys(variants).sort()).toEqual(["display", "medium", "thumb"]);
    for (const bytes of Object.values(variants)) {
      expect(readJpeg(bytes).markers).not.toContain(0xe1);
      expect(bytes.includes(Buffer.from("Exif"))).toBe(false);
    }
    const { width, height } = readJpeg(variants.display);
    if (width === 800 && height === 600) displays.push(await grid(page, variants.display));
  }
  // Both 800x600 files look like libheif's decode of them: turned once, not twice; the
  // cut-out's transparency white.
  expect(displays).toHaveLength(2);
  for (const name of ["rotated", "alpha"]) {
    const reference = await grid(page, fs.readFileSync(heif(`${name}.ref.jpg`)));
    expect(Math.min(...displays.map((d) => maxDiff(d, reference))), name).toBeLessThan(60);
  }

  // An iPhone photo picked alone (1280x960 shown: 512 px tiles, turned by `irot`, Display
  // P3): the worker shares its decode with a helper worker.
  const known = new Set(storedImages().keys());
  await upload(page, [heif("iphone.heic")]);
  await expect(page.getByTestId("upload-error")).toHaveCount(0);
  const phone = [...storedImages()].filter(([folder]) => !known.has(folder)).map(([, variants]) => variants);
  expect(phone).toHaveLength(1);
  const display = readJpeg(phone[0].display);
  expect([display.width, display.height]).toEqual([1280, 960]);
  expect(display.markers).toContain(0xe2); // the Display P3 profile travels
  expect(display.markers).not.toContain(0xe1);
  const reference = await grid(page, fs.readFileSync(heif("iphone.ref.jpg")));
  expect(maxDiff(await grid(page, phone[0].display), reference), "iphone").toBeLessThan(60);
  // The same photo straight to a photo worker, shared and not: the helper decoded half the
  // tiles, and the variants are the same bytes either way.
  const [shared, alone] = await sharedAndAlone(page, fs.readFileSync(heif("iphone.heic")));
  expect(shared).toMatchObject({ helped: 3 });
  expect(alone).toMatchObject({ helped: 0 });
  expect(shared.sha).toHaveLength(3);
  expect(shared.sha).toEqual(alone.sha);

  // Half a HEIC file: refused with the reason, nothing stored.
  const broken = testInfo.outputPath("broken.heic");
  const whole = fs.readFileSync(heif("plain.heic"));
  fs.writeFileSync(broken, whole.subarray(0, whole.length / 2));
  const stored = server.storedObjects().length;
  await page.getByTestId("upload-input").setInputFiles(broken);
  await expect(page.getByTestId("upload-error")).toContainText(/damaged or incomplete/);
  expect(server.storedObjects()).toHaveLength(stored);
});

test("a big photo alone at work is shared with a helper worker, in the same bytes", async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto(server.url);
  // Straight to a photo worker, shared and not: a turned 24 MP phone photo, a PNG cut-out and a
  // small JPEG (not worth sharing: made by the worker alone).
  const photos = ["photos/phone-24mp-orient6-gps.jpg", "photos/cutout-alpha.png", "photos/odd-exif.jpg"];
  for (const [name, helped] of [[photos[0], 2], [photos[1], 2], [photos[2], 0]] as const) {
    const [shared, alone] = await sharedAndAlone(page, fs.readFileSync(corpus(name)));
    expect(shared, name).toMatchObject({ helped });
    expect(alone, name).toMatchObject({ helped: 0 });
    expect(shared.sha, name).toHaveLength(3);
    expect(shared.sha.map((s: string) => s.split(" ")[0]), name).toEqual(["display", "medium", "thumb"]);
    expect(shared.sha, name).toEqual(alone.sha);
  }
});

/** A PNG of `channels` 3 (RGB) or 4 (RGBA) whose every row is Paeth-filtered, the filter the
 * worker unfilters with its own SIMD code: gradients, texture and, for RGBA, opaque, partly
 * and wholly transparent thirds. */
function paethPng(width: number, height: number, channels: 3 | 4): Buffer {
  const value = (x: number, y: number, c: number) =>
    c === 3 ? (x < width / 3 ? 255 : x < (2 * width) / 3 ? (x * y) & 255 : 0) : (x * 3 + y * 5 + c * 40 + ((x * y) % 17) * 9) & 255;
  const predict = (a: number, b: number, c: number) => {
    const [pa, pb, pc] = [Math.abs(b - c), Math.abs(a - c), Math.abs(a + b - 2 * c)];
    return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
  };
  const line = width * channels;
  const raw = Buffer.alloc((line + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (line + 1)] = 4; // Paeth
    for (let i = 0; i < line; i++) {
      const [x, c] = [Math.floor(i / channels), i % channels];
      const a = x > 0 ? value(x - 1, y, c) : 0;
      const b = y > 0 ? value(x, y - 1, c) : 0;
      const above_left = x > 0 && y > 0 ? value(x - 1, y - 1, c) : 0;
      raw[y * (line + 1) + 1 + i] = (value(x, y, c) - predict(a, b, above_left)) & 255;
    }
  }
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, channels === 4 ? 6 : 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk("IHDR", header),
    chunk("IDAT", zlib.deflateSync(raw)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

test("the worker encodes what the server's pipeline encodes: photos uploaded and the same photos imported are stored as the same bytes", async ({ page }) => {
  test.setTimeout(120_000);
  // The browser's worker (WebAssembly) and `vitrine import` (native) run one pipeline: from the
  // same pixels they must write the same JPEG, whichever the shop used. Both display variants
  // are their photo's own size, so no Lanczos resize (whose SIMD rounds its own way on each
  // platform) comes between. The cut-out goes the RGB way: decoding, the blend over white and
  // every byte of the encoder's work are compared. The Canon photo (4:2:2, turned by its EXIF
  // orientation) goes the YCbCr way: its planes, chroma brought to half size, each plane turned.
  // Two made PNGs, RGB and RGBA, every row Paeth-filtered and of odd sizes, try the worker's
  // SIMD unfiltering (3 and 4 bytes a pixel) against the native scalar code.
  const photos = { "cutout-alpha.png": [1600, 1200], "canon_hdr_NO.jpg": [1536, 2048], "paeth-rgb.png": [333, 251], "paeth-rgba.png": [331, 249] };
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "vitrine-same-bytes-"));
  for (const name of ["cutout-alpha.png", "canon_hdr_NO.jpg"]) fs.copyFileSync(corpus(`photos/${name}`), path.join(folder, name));
  fs.writeFileSync(path.join(folder, "paeth-rgb.png"), paethPng(333, 251, 3));
  fs.writeFileSync(path.join(folder, "paeth-rgba.png"), paethPng(331, 249, 4));
  const before = new Set(storedImages().keys());
  await pages.signUp(page, server.url, "iris@shop.example");
  await createProduct(page, "Same bytes");
  await upload(page, Object.keys(photos).map((name) => path.join(folder, name)));
  server.cli(["user", "add", "ivo@shop.example", "--password-stdin"], "seller password 123\n");
  server.cli(["import", folder, "--seller", "ivo@shop.example", "--product", "Same bytes"]);
  fs.rmSync(folder, { recursive: true });

  const made = [...storedImages()].filter(([key]) => !before.has(key)).map(([, variants]) => variants.display);
  expect(made).toHaveLength(8);
  for (const [name, [width, height]] of Object.entries(photos)) {
    const same = made.filter((bytes) => readJpeg(bytes).width === width);
    expect(same, name).toHaveLength(2);
    expect(readJpeg(same[0]), name).toMatchObject({ width, height });
    expect(same[0].length, name).toBe(same[1].length);
    expect(same[0].equals(same[1]), name).toBe(true);
  }
});

