// The whole chain in Chromium: sign up, create a product, upload phone photos that the browser
// shrinks in WebAssembly and posts straight to the store, see them after a server restart.
import { Page } from "@playwright/test";
import { expect, test } from "./support/test";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { corpus, readJpeg } from "./support/jpeg";
import * as pages from "./support/pages";
import { createProduct, hydrated, shots } from "./support/pages";
import { VitrineServer } from "./support/server";

let server: VitrineServer;
test.beforeAll(async () => {
  server = await VitrineServer.start();
});
test.afterAll(async () => {
  await server?.dispose();
});

const signUp = (page: Page, email: string) => pages.signUp(page, server.url, email);

test("a seller uploads phone photos straight to the store and sees them after a restart", async ({ page, browser, pageErrors }) => {
  await page.goto(`${server.url}/`);
  await page.screenshot({ path: `${shots}/home.png`, fullPage: true });
  await page.goto(`${server.url}/signup`);
  await hydrated(page);
  await page.screenshot({ path: `${shots}/signup.png`, fullPage: true });

  await signUp(page, "ana@shop.example");
  await expect(page.getByText("No products yet.")).toBeVisible();
  await page.screenshot({ path: `${shots}/products-empty.png`, fullPage: true });
  const productUrl = await createProduct(page, "Linen tote bag");
  await expect(page.getByText("No images yet.")).toBeVisible();
  await page.screenshot({ path: `${shots}/product-empty.png`, fullPage: true });

  const posts: { url: string; bodySize: number }[] = [];
  page.on("request", (req) => {
    if (req.method() === "POST") posts.push({ url: req.url(), bodySize: req.postDataBuffer()?.length ?? 0 });
  });

  await page.getByTestId("upload-input").setInputFiles([
    corpus("photos/phone-24mp-orient6-gps.jpg"),
    corpus("photos/jolla.jpg"),
  ]);
  const items = page.getByTestId("upload-item");
  await expect(items).toHaveCount(2);
  for (const item of await items.all()) {
    await expect(item).toHaveAttribute("data-state", "done", { timeout: 150_000 });
    await expect(item.getByTestId("upload-progress")).toHaveAttribute("aria-valuenow", "100");
  }
  const gallery = page.getByTestId("gallery-item");
  await expect(gallery).toHaveCount(2);
  await expect(gallery.first()).toHaveAttribute("data-status", "pending");
  await page.screenshot({ path: `${shots}/product-uploaded.png`, fullPage: true });

  // The file bytes went to the store's bucket URL, never to an app route.
  const storePosts = posts.filter((p) => new URL(p.url).pathname === "/vitrine-media");
  expect(storePosts).toHaveLength(6); // three variants of each photo
  for (const p of posts.filter((p) => new URL(p.url).pathname.startsWith("/api/"))) {
    expect(p.bodySize).toBeLessThan(4096);
  }

  // What the store holds: upright landscape, at most 2048 px, no EXIF (so no GPS).
  const first = gallery.first().locator("img");
  await expect(first).toHaveJSProperty("complete", true);
  const natural = await first.evaluate((img: HTMLImageElement) => [img.naturalWidth, img.naturalHeight]);
  expect(natural[0]).toBeGreaterThan(natural[1]);
  for (const img of await gallery.locator("img").all()) {
    const src = await img.getAttribute("src");
    const res = await page.request.get(new URL(src!, server.url).toString());
    expect(res.status()).toBe(200);
    const bytes = await res.body();
    const info = readJpeg(bytes);
    expect(Math.max(info.width, info.height)).toBeLessThanOrEqual(2048);
    expect(info.markers).not.toContain(0xe1);
    expect(bytes.includes(Buffer.from("Exif"))).toBe(false);
  }
  // Uploads run in parallel, so either photo may come first: compare the set of display sizes.
  const displays: number[][] = [];
  for (const img of await gallery.locator("img").all()) {
    const src = new URL((await img.getAttribute("src"))!, server.url).toString();
    const info = readJpeg(await (await page.request.get(src)).body());
    displays.push([info.width, info.height]);
  }
  displays.sort((a, b) => a[1] - b[1]);
  expect(displays).toEqual([
    [2048, 1365], // the 24 MP phone photo, stored 4000x6000 with orientation 6: upright landscape
    [2048, 1536], // jolla.jpg
  ]);
  // Three variants per photo; the grid loads the thumbnail, not the 2048 px file.
  expect(server.storedObjects()).toHaveLength(6);
  expect(server.storedObjects().filter((k) => k.endsWith("/thumb.jpg"))).toHaveLength(2);
  expect(await first.evaluate((img: HTMLImageElement) => img.currentSrc)).toContain("/thumb.jpg");
  const thumb = readJpeg(await (await page.request.get(await first.evaluate((img: HTMLImageElement) => img.currentSrc))).body());
  expect(thumb.width).toBe(400); // 400x267 or 400x300, whichever photo finished first
  expect(thumb.markers).not.toContain(0xe1);

  // After a restart everything is still there.
  await server.restart();
  await page.goto(productUrl);
  await hydrated(page);
  await expect(page.getByTestId("gallery-item")).toHaveCount(2);
  const restarted = page.getByTestId("gallery-item").first().locator("img");
  await expect(restarted).toHaveJSProperty("complete", true);
  expect(await restarted.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
  expect(await restarted.evaluate((img: HTMLImageElement) => img.currentSrc)).toContain("/thumb.jpg");
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: `${shots}/product-phone.png`, fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });

  // Another seller sees nothing of it.
  const other = await browser.newContext();
  const otherPage = await other.newPage();
  await signUp(otherPage, "bob@shop.example");
  await expect(otherPage.getByTestId("product-link")).toHaveCount(0);
  // Not theirs: "not found", in the status line too (a monitor or crawler reads that).
  pageErrors.allow(/Failed to load resource: the server responded with a status of 404/);
  const notTheirs = await otherPage.goto(productUrl);
  expect(notTheirs?.status()).toBe(404);
  await hydrated(otherPage);
  await expect(otherPage.getByText("That product was not found.")).toBeVisible();
  await expect(otherPage.getByTestId("gallery-item")).toHaveCount(0);
  await other.close();
});

test("a file that is not an image is refused with a message and nothing is stored", async ({ page }) => {
  await signUp(page, "cy@shop.example");
  await createProduct(page, "Ceramic mug");
  const objectsBefore = server.storedObjects().length;
  const apiCalls: string[] = [];
  page.on("request", (req) => {
    if (req.method() === "POST") apiCalls.push(new URL(req.url()).pathname);
  });

  await page.getByTestId("upload-input").setInputFiles(corpus("bad/not-an-image.jpg"));
  const item = page.getByTestId("upload-item");
  await expect(item).toHaveAttribute("data-state", "failed");
  await expect(item.getByTestId("upload-error")).toContainText("not an image");
  await page.screenshot({ path: `${shots}/upload-refused.png`, fullPage: true });

  // A file too big to read on a phone is refused by its size, before it is read (a sparse
  // file: 201 MB on paper, nothing on disk).
  const huge = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "vitrine-huge-")), "scan.jpg");
  fs.closeSync(fs.openSync(huge, "w"));
  fs.truncateSync(huge, 201 * 1024 * 1024);
  await page.getByTestId("upload-input").setInputFiles(huge);
  const second = page.getByTestId("upload-item").nth(1);
  await expect(second).toHaveAttribute("data-state", "failed");
  await expect(second.getByTestId("upload-error")).toContainText("This file is 201 MB; photos up to 200 MB are accepted");
  fs.rmSync(path.dirname(huge), { recursive: true });

  await expect(page.getByTestId("gallery-item")).toHaveCount(0);
  expect(apiCalls.filter((p) => p === "/api/begin_upload" || p === "/vitrine-media")).toEqual([]);
  expect(server.storedObjects()).toHaveLength(objectsBefore);
});

test("a seller signs out and back in", async ({ page, pageErrors }) => {
  await signUp(page, "dee@shop.example");
  await createProduct(page, "Walnut board");
  await page.getByTestId("signout").click();
  await page.waitForURL(`${server.url}/signin`);
  await hydrated(page);
  // A signed-out visitor is sent to sign in, and comes back where they were going.
  const productUrl = `${server.url}/products`;
  await page.goto(productUrl);
  await page.waitForURL(`${server.url}/signin?next=%2Fproducts`);
  await hydrated(page);
  await page.getByTestId("signin-email").fill("dee@shop.example");
  await page.getByTestId("signin-password").fill("wrong password!");
  pageErrors.allow(/\/api\/sign_in: Failed to load resource/);
  await page.getByTestId("signin-submit").click();
  await expect(page.getByRole("alert").filter({ hasText: "do not match" })).toBeVisible();
  await page.screenshot({ path: `${shots}/signin-error.png`, fullPage: true });

  await page.getByTestId("signin-password").fill("correct horse battery");
  await page.getByTestId("signin-submit").click();
  await page.waitForURL(`${server.url}/products`);
  await expect(page.getByTestId("product-link").filter({ hasText: "Walnut board" })).toBeVisible();
});

test("a seller describes, reorders with the keyboard and deletes photos", async ({ page }) => {
  await signUp(page, "fay@shop.example");
  const productUrl = await createProduct(page, "Rattan lamp");
  const before = server.storedObjects().length;
  await page.getByTestId("upload-input").setInputFiles([corpus("photos/jolla.jpg"), corpus("photos/odd-exif.jpg")]);
  for (const item of await page.getByTestId("upload-item").all()) {
    await expect(item).toHaveAttribute("data-state", "done", { timeout: 120_000 });
  }
  const cards = page.getByTestId("gallery-item");
  await expect(cards).toHaveCount(2);
  expect(server.storedObjects()).toHaveLength(before + 6);

  // By id, not by place: the two uploads may register in either order.
  const [keep, drop] = await cards.evaluateAll((els) => els.map((e) => e.getAttribute("data-image-id")));
  const card = (id: string | null) => page.locator(`[data-testid=gallery-item][data-image-id="${id}"]`);
  const altSaved = page.waitForResponse((r) => r.url().endsWith("/api/update_image_alt") && r.ok());
  await card(keep).getByTestId("image-alt").fill("Rattan lamp, lit, on a side table");
  await card(keep).getByTestId("image-alt").press("Enter");
  expect((await altSaved).request().postData()).toContain(`image_id=${keep}`);
  // Said, and the picture's own alt follows at once.
  await expect(card(keep).getByTestId("image-alt-saved")).toHaveText("Saved");
  await expect(card(keep).locator("img")).toHaveAttribute("alt", "Rattan lamp, lit, on a side table");

  page.once("dialog", (dialog) => dialog.accept());
  await card(drop).getByTestId("image-delete").click();
  await expect(cards).toHaveCount(1);
  await expect(card(keep)).toHaveCount(1);
  // The keyboard goes on from the neighbour, and a screen reader hears what happened.
  await expect(card(keep).getByTestId("image-open")).toBeFocused();
  await expect(page.getByTestId("gallery-status")).toHaveText("Photo deleted.");
  expect(server.storedObjects()).toHaveLength(before + 3);

  // Reorder with the keyboard only: upload one more, then make it the cover and move it back.
  await page.getByTestId("upload-input").setInputFiles(corpus("photos/Reconyx_HC500_Hyperfire.jpg"));
  await expect(cards).toHaveCount(2);
  const ids = async () => cards.evaluateAll((els) => els.map((e) => e.getAttribute("data-image-id")));
  const [lamp, camera] = await ids();
  await cards.nth(1).getByTestId("image-cover").focus();
  await page.keyboard.press("Enter");
  await expect.poll(ids).toEqual([camera, lamp]);
  await cards.first().getByTestId("image-later").focus();
  await page.keyboard.press("Enter");
  await expect.poll(ids).toEqual([lamp, camera]);
  await page.screenshot({ path: `${shots}/gallery-edit.png`, fullPage: true });

  await page.goto(productUrl);
  await hydrated(page);
  await expect(page.getByTestId("gallery-item")).toHaveCount(2);
  await expect.poll(ids).toEqual([lamp, camera]);
  // Each field shows its own image's text: the browser must not restore old field contents
  // over them (it matches nameless fields by order, which the reorder changed).
  await expect(page.getByTestId("image-alt").first()).toHaveValue("Rattan lamp, lit, on a side table");
  await expect(page.getByTestId("image-alt").nth(1)).toHaveValue("");
  await expect(page.getByTestId("gallery-item").first().locator("img")).toHaveAttribute("alt", "Rattan lamp, lit, on a side table");
});

test("six uploads run at once; cancel leaves nothing behind and retry starts afresh", async ({ page }) => {
  await signUp(page, "gus@shop.example");
  await createProduct(page, "Glass vase");
  const before = server.storedObjects().length;
  // A slow uplink, so transfers take seconds and can be cancelled halfway.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", {
    offline: false,
    latency: 20,
    downloadThroughput: 10_000_000,
    uploadThroughput: 120_000,
  });

  await page.getByTestId("upload-input").setInputFiles([
    corpus("photos/jolla.jpg"),
    corpus("photos/canon_hdr_NO.jpg"),
    corpus("photos/DSCN0010.jpg"),
    corpus("photos/Reconyx_HC500_Hyperfire.jpg"),
    corpus("photos/progressive.jpg"),
    corpus("photos/odd-exif.jpg"),
    corpus("photos/cmyk.jpg"),
  ]);
  const items = page.getByTestId("upload-item");
  await expect(items).toHaveCount(7);
  await expect(items.nth(6)).toHaveAttribute("data-state", "queued");
  await items.nth(6).getByTestId("upload-cancel").click();
  await expect(items.nth(6)).toHaveAttribute("data-state", "cancelled");

  await expect(items.first()).toHaveAttribute("data-state", "uploading", { timeout: 60_000 });
  await expect
    .poll(async () => Number(await items.first().getByTestId("upload-progress").getAttribute("aria-valuenow")))
    .toBeGreaterThan(10);
  await items.first().getByTestId("upload-cancel").click();
  await expect(items.first()).toHaveAttribute("data-state", "cancelled");
  await page.screenshot({ path: `${shots}/upload-cancelled.png`, fullPage: true });

  await cdp.send("Network.emulateNetworkConditions", {
    offline: false,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: -1,
  });
  await expect(items.nth(1)).toHaveAttribute("data-state", "done", { timeout: 120_000 });
  await expect(items.nth(2)).toHaveAttribute("data-state", "done", { timeout: 120_000 });
  await expect(items.nth(3)).toHaveAttribute("data-state", "done", { timeout: 120_000 });
  await expect(items.nth(4)).toHaveAttribute("data-state", "done", { timeout: 120_000 });
  await expect(items.nth(5)).toHaveAttribute("data-state", "done", { timeout: 120_000 });
  await expect(page.getByTestId("gallery-item")).toHaveCount(5);
  await expect(page.getByTestId("upload-summary")).toHaveText("5 of 5 uploaded");
  // Nothing of the cancelled files is stored: five photos, three variants each.
  await expect.poll(() => server.storedObjects().length).toBe(before + 15);

  // Retry starts the cancelled upload afresh, with a new signed form.
  await items.first().getByTestId("upload-retry").click();
  await expect(items.first()).toHaveAttribute("data-state", "done", { timeout: 120_000 });
  await expect(items.first().getByTestId("upload-progress")).toHaveAttribute("aria-valuenow", "100");
  await expect(page.getByTestId("gallery-item")).toHaveCount(6);
  await expect(page.getByTestId("upload-summary")).toHaveText("6 of 6 uploaded");
  expect(server.storedObjects()).toHaveLength(before + 18);
});
