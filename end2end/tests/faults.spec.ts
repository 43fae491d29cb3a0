// Faults during a batch, injected from outside the app: the connection dropped at each step,
// the storage away for a while (unreachable from the browser; an external S3 server killed and
// started again), the server killed with SIGKILL. Each ends with every photo in
// the gallery exactly once, the store holding exactly their files, and nothing left for gc.
import { Page } from "@playwright/test";
import { expect, test } from "./support/test";
import { SMALL_PHOTOS } from "./support/jpeg";
import { allDone, BIGGER, nothingLostNothingLeft, toTheStore } from "./support/batch";
import { createProduct, shots, signUp } from "./support/pages";
import { VitrineServer } from "./support/server";

let server: VitrineServer;
test.beforeAll(async () => {
  server = await VitrineServer.start();
});
test.afterAll(async () => {
  await server?.dispose();
});

const PHOTOS = SMALL_PHOTOS;

test("a connection dropped at begin, at transfer, or after complete is retried and never doubles a photo", async ({ page, pageErrors }) => {
  pageErrors.allow(/net::ERR_CONNECTION_RESET|net::ERR_FAILED/);
  await signUp(page, server.url, "dee@shop.example");
  await createProduct(page, "Linen napkins");
  const before = server.storedObjects().length;
  const seen = { begin: 0, transfer: 0, complete: 0 };
  await page.route("**/api/begin_upload", (route) => (seen.begin++ === 0 ? route.abort("connectionreset") : route.continue()));
  await page.route("**/vitrine-media**", (route) => {
    if (!toTheStore(route)) return route.continue();
    return seen.transfer++ === 0 ? route.abort("connectionreset") : route.continue();
  });
  // The worst one: the server registers the image, and its answer never arrives.
  await page.route("**/api/complete_upload", async (route) => {
    if (seen.complete++ === 0) {
      await route.fetch();
      return route.abort("connectionreset");
    }
    return route.continue();
  });

  await page.getByTestId("upload-input").setInputFiles(PHOTOS);
  await allDone(page);
  // Each step was cut once and tried again.
  expect(seen.begin).toBe(PHOTOS.length + 1);
  expect(seen.transfer).toBe(3 * PHOTOS.length + 1);
  expect(seen.complete).toBe(PHOTOS.length + 1);
  await expect(page.getByTestId("upload-error")).toHaveCount(0);
  await page.unrouteAll();
  await nothingLostNothingLeft(page, server, PHOTOS.length, before);
});

test("a seller who leaves the product page mid-batch leaves the uploads running, and finds them there on coming back", async ({ page }) => {
  await signUp(page, server.url, "lev@shop.example");
  const productUrl = await createProduct(page, "Wool blankets");
  const before = server.storedObjects().length;
  // Transfers are held until the seller has left the page.
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route("**/vitrine-media**", async (route) => {
    if (toTheStore(route)) await held;
    return route.continue();
  });
  await page.getByTestId("upload-input").setInputFiles(PHOTOS);
  await expect(page.locator("[data-testid=upload-item][data-state=uploading]").first()).toBeVisible({ timeout: 60_000 });

  // Away, inside the app: the uploads go on (before, the first step to finish read the
  // disposed page's state and the app's WebAssembly stopped).
  await page.locator(".crumbs a", { hasText: "Products" }).click();
  await page.waitForURL(`${server.url}/products`);
  // Closing the tab while photos are on their way asks first; the seller stays.
  const asked: string[] = [];
  page.once("dialog", (dialog) => {
    asked.push(dialog.type());
    return dialog.dismiss();
  });
  await page.close({ runBeforeUnload: true });
  await expect.poll(() => asked).toEqual(["beforeunload"]);
  expect(page.isClosed()).toBe(false);
  release();
  await expect.poll(() => server.storedObjects().length, { timeout: 120_000 }).toBe(before + 3 * PHOTOS.length);
  await expect(page.getByTestId("page-stopped")).toHaveCount(0);

  // Back on the product, by the app's own link: the rows are there, done, and so are the photos.
  await page.getByTestId("product-link").filter({ hasText: "Wool blankets" }).click();
  await page.waitForURL(productUrl);
  await expect(page.getByTestId("upload-item")).toHaveCount(PHOTOS.length);
  await allDone(page);
  await expect(page.getByTestId("gallery-item")).toHaveCount(PHOTOS.length);
  await page.screenshot({ path: `${shots}/uploads-after-leaving.png`, fullPage: true });
  await page.unrouteAll();
  await nothingLostNothingLeft(page, server, PHOTOS.length, before);
  // Nothing on its way any more: the tab closes without asking.
  await page.close({ runBeforeUnload: true });
  await expect.poll(() => page.isClosed()).toBe(true);
  expect(asked).toEqual(["beforeunload"]);
});

test("a transfer tried again after the laptop slept asks for a new permission instead of sending an expired one", async ({ page, pageErrors }) => {
  pageErrors.allow(/net::ERR_INTERNET_DISCONNECTED|net::ERR_FAILED/);
  await page.clock.install();
  await signUp(page, server.url, "sol@shop.example");
  await createProduct(page, "Jute rugs");
  const before = server.storedObjects().length;
  let begins = 0;
  let offline = true;
  let sentAfterWaking = 0;
  await page.route("**/api/begin_upload", (route) => {
    begins++;
    return route.continue();
  });
  await page.route("**/vitrine-media**", (route) => {
    if (!toTheStore(route)) return route.continue();
    if (offline) return route.abort("internetdisconnected");
    sentAfterWaking++;
    return route.continue();
  });
  await page.getByTestId("upload-input").setInputFiles([PHOTOS[0]]);
  const item = page.getByTestId("upload-item").first();
  await expect(item.getByTestId("upload-waiting")).toContainText("Storage not reachable");
  // The laptop sleeps 11 minutes, past the signed upload's 10; the network is back on waking.
  offline = false;
  await page.clock.fastForward("11:00");
  await expect(item).toHaveAttribute("data-state", "done");
  // The expired permission was not used: the photo's three files went once, under a second one
  // (before, the first was sent with the expired one, and again under the new one).
  expect(begins).toBe(2);
  expect(sentAfterWaking).toBe(3);
  await page.unrouteAll();
  await nothingLostNothingLeft(page, server, 1, before);
});

test("a photo whose registration answer was lost, retried after its window, is not registered twice", async ({ page, pageErrors }) => {
  // The 409: releasing the old intent is refused because it is registered, which is how the
  // page learns the photo is in.
  pageErrors.allow(/net::ERR_CONNECTION_RESET|net::ERR_FAILED|cancel_upload: .* 409/);
  await page.clock.install();
  await signUp(page, server.url, "ned@shop.example");
  await createProduct(page, "Sisal mats");
  const before = server.storedObjects().length;
  let begins = 0;
  await page.route("**/api/begin_upload", (route) => {
    begins++;
    return route.continue();
  });
  // The server registers the photo, and none of its answers reaches the page.
  let lost = true;
  await page.route("**/api/complete_upload", async (route) => {
    if (!lost) return route.continue();
    await route.fetch();
    return route.abort("connectionreset");
  });
  await page.getByTestId("upload-input").setInputFiles([PHOTOS[0]]);
  const item = page.getByTestId("upload-item").first();
  await expect(item.getByTestId("upload-waiting")).toContainText("Server not reachable");
  // Minutes of retries pass; the row gives up and offers Retry.
  for (let i = 0; i < 40 && (await item.getAttribute("data-state")) !== "failed"; i++) {
    await page.clock.runFor(31_000);
    await page.waitForTimeout(200);
  }
  await expect(item).toHaveAttribute("data-state", "failed");
  lost = false;
  // The seller presses Retry the next morning, long after the intent's window.
  await page.clock.fastForward("10:00:00");
  await item.getByTestId("upload-retry").click();
  await expect(item).toHaveAttribute("data-state", "done");
  expect(begins).toBe(1);
  await page.unrouteAll();
  await nothingLostNothingLeft(page, server, 1, before);
});

test("storage away for a while: the seller sees why, nothing is registered meanwhile, and the batch finishes when it is back", async ({ page, pageErrors }) => {
  pageErrors.allow(/net::ERR_CONNECTION_REFUSED|net::ERR_FAILED/);
  await signUp(page, server.url, "eli@shop.example");
  await createProduct(page, "Stoneware bowls");
  const before = server.storedObjects().length;
  let away = true;
  await page.route("**/vitrine-media**", (route) => (away && toTheStore(route) ? route.abort("connectionrefused") : route.continue()));

  await page.getByTestId("upload-input").setInputFiles(PHOTOS);
  const waiting = page.getByTestId("upload-waiting").first();
  await expect(waiting).toContainText(/Storage not reachable, retrying in \d+ s…/);
  await page.screenshot({ path: `${shots}/upload-storage-away.png`, fullPage: true });
  // Away long enough for several tries; no photo is registered that is not stored.
  await expect.poll(() => page.getByTestId("upload-waiting").first().textContent(), { timeout: 30_000 }).toMatch(/retrying in (4|8) s/);
  await expect(page.getByTestId("gallery-item")).toHaveCount(0);
  expect(server.storedObjects()).toHaveLength(before);

  away = false;
  await allDone(page);
  await expect(page.getByTestId("upload-waiting")).toHaveCount(0);
  await page.unrouteAll();
  await nothingLostNothingLeft(page, server, PHOTOS.length, before);
});

/** Picks the bigger photos, kills `victim` with SIGKILL once one is on its way, checks the row
 * says why it waits (`why`), starts `victim` again and waits for every photo to arrive. */
async function killMidBatch(page: Page, victim: VitrineServer, why: RegExp, shot: string) {
  await page.getByTestId("upload-input").setInputFiles(BIGGER);
  await expect(page.locator("[data-testid=upload-item][data-state=uploading], [data-testid=upload-item][data-state=verifying]").first()).toBeVisible({ timeout: 60_000 });
  await victim.kill();
  await expect(page.getByTestId("upload-waiting").first()).toContainText(why);
  await page.screenshot({ path: `${shots}/${shot}.png`, fullPage: true });
  await victim.restart();
  await allDone(page);
  await expect(page.getByTestId("upload-error")).toHaveCount(0);
}

/** While a server is down, the page's requests to it fail. */
const DOWN = /net::ERR_CONNECTION_REFUSED|net::ERR_EMPTY_RESPONSE|net::ERR_CONNECTION_RESET|net::ERR_FAILED|Failed to load resource/;

test("the server killed with SIGKILL mid-batch and started again: every photo arrives exactly once", async ({ page, pageErrors }) => {
  test.setTimeout(240_000);
  pageErrors.allow(DOWN);
  await signUp(page, server.url, "fay@shop.example");
  await createProduct(page, "Copper pans");
  const before = server.storedObjects().length;
  // Killed while photos are being shrunk, sent and registered; its embedded store dies with it.
  await killMidBatch(page, server, /not reachable, retrying in \d+ s…/, "upload-server-down");
  await nothingLostNothingLeft(page, server, BIGGER.length, before);
});

test("the external S3 server killed mid-batch and started again: uploads wait, say why, and finish", async ({ page, pageErrors }) => {
  test.setTimeout(240_000);
  pageErrors.allow(DOWN);
  // The store is another process (a second Vitrine's embedded S3 server, which checks
  // signatures and policies); the app reaches it as any external bucket, the browser directly.
  const store = await VitrineServer.start();
  const bucket = Object.fromEntries(
    store
      .cli(["store-env"])
      .trim()
      .split("\n")
      .map((line) => line.split(/=(.*)/s).slice(0, 2)),
  );
  const app = await VitrineServer.start({ ...bucket, VITRINE_STORAGE: "s3", VITRINE_S3_PROVIDER: "other" });
  try {
    expect(app.cli(["setup-bucket"])).toContain(`CORS rule vitrine-uploads: ${app.url}`);
    await signUp(page, app.url, "gus@shop.example");
    await createProduct(page, "Glass carafes");
    const before = store.storedObjects().length;
    await killMidBatch(page, store, /(Storage not reachable|The server cannot finish this now), retrying in \d+ s…/, "upload-store-down");
    await nothingLostNothingLeft(page, app, BIGGER.length, before, store);
  } finally {
    await app.dispose();
    await store.dispose();
  }
});
