// Ways out of a failure, for the keyboard too: a photo tool that could not be downloaded and a
// gallery that could not reload each offer to try again, and Retry and Cancel hand the focus
// to each other instead of dropping it to the page.
import { expect, test } from "./support/test";
import { SMALL_PHOTOS } from "./support/jpeg";
import { BUSY, createProduct, signUp } from "./support/pages";
import { VitrineServer } from "./support/server";

let server: VitrineServer;
test.beforeAll(async () => {
  server = await VitrineServer.start();
});
test.afterAll(async () => {
  await server?.dispose();
});

test("the photo tool that cannot be downloaded says so, and Retry fetches it again", async ({ page, pageErrors }) => {
  // Workers start when the first photo is chosen: a seller who went offline meanwhile gets a
  // worker whose script never arrives. The row used to say "Shrinking the photo…" for ever.
  pageErrors.allow(/worker\/worker\.js|Failed to load resource/);
  await signUp(page, server.url, "ivo@shop.example");
  await createProduct(page, "Cane chairs");
  let refused = 0;
  await page.route("**/worker/worker.js", (route) => {
    refused++;
    return route.abort("internetdisconnected");
  }, { times: 1 });
  await page.getByTestId("upload-input").setInputFiles([SMALL_PHOTOS[0]]);
  const item = page.getByTestId("upload-item").first();
  await expect(item).toHaveAttribute("data-state", "failed");
  await expect(item.getByTestId("upload-error")).toContainText("The photo tool could not be downloaded");
  expect(refused).toBe(1);
  await item.getByTestId("upload-retry").click();
  await expect(item).toHaveAttribute("data-state", "done");
  await expect(page.getByTestId("gallery-item")).toHaveCount(1);
});

test("Retry and Cancel hand the focus to each other, so a keyboard user is never dropped to the page", async ({ page, pageErrors }) => {
  pageErrors.allow(/begin_upload: .* 400/);
  await signUp(page, server.url, "uma@shop.example");
  await createProduct(page, "Felt slippers");
  let begins = 0;
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route("**/api/begin_upload", async (route) => {
    begins++;
    if (begins === 1) {
      return route.fulfill({ status: 400, contentType: "application/json", body: JSON.stringify({ Refused: "Not now." }) });
    }
    if (begins === 2) await held;
    return route.continue();
  });
  await page.getByTestId("upload-input").setInputFiles([SMALL_PHOTOS[0]]);
  const item = page.getByTestId("upload-item").first();
  await expect(item).toHaveAttribute("data-state", "failed");
  await item.getByTestId("upload-retry").focus();
  await page.keyboard.press("Enter");
  await expect(item.getByTestId("upload-cancel")).toBeFocused();
  await page.keyboard.press("Enter");
  // The cancel lands once the request on its way returns.
  release();
  await expect(item).toHaveAttribute("data-state", "cancelled");
  await expect(item.getByTestId("upload-retry")).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(item).toHaveAttribute("data-state", "done");
  // No button left on a finished row: the row itself keeps the focus.
  await expect(item).toBeFocused();
  await expect(page.getByTestId("gallery-item")).toHaveCount(1);
});

test("a gallery that could not reload after an upload offers Try again, which brings the new photo", async ({ page, pageErrors }) => {
  pageErrors.allow(/\/api\/list_gallery: .*status of 503/);
  await signUp(page, server.url, "val@shop.example");
  await createProduct(page, "Oak trays");
  await page.route("**/api/list_gallery", (route) => route.fulfill(BUSY), { times: 1 });
  await page.getByTestId("upload-input").setInputFiles([SMALL_PHOTOS[0]]);
  await expect(page.getByTestId("upload-item").first()).toHaveAttribute("data-state", "done");
  await expect(page.getByRole("alert").filter({ hasText: "The server is busy" })).toBeVisible();
  await expect(page.getByTestId("gallery-item")).toHaveCount(0);
  // It used to say "try again" with nothing to press until some other change came.
  await page.getByTestId("gallery-retry").click();
  await expect(page.getByTestId("gallery-item")).toHaveCount(1);
  await expect(page.getByTestId("gallery-retry")).toHaveCount(0);
  await expect(page.getByRole("alert").filter({ hasText: "The server is busy" })).toHaveCount(0);
});

test("a transfer that stalls without an error is given up after a minute and sent again", async ({ page, pageErrors }) => {
  pageErrors.allow(/vitrine-media.*(ERR_ABORTED|ERR_FAILED)|Failed to load resource/);
  await page.clock.install();
  await signUp(page, server.url, "wes@shop.example");
  await createProduct(page, "Linen aprons");
  // The first transfer never hears back: a connection gone dead with no reset (the Wi-Fi
  // dropped under it). It once left "Uploading…" for ever.
  let writes = 0;
  let unstick = () => {};
  const stuck = new Promise<void>((resolve) => (unstick = resolve));
  await page.route("**/vitrine-media**", async (route) => {
    const request = route.request();
    if (request.method() === "GET" || !new URL(request.url()).pathname.startsWith("/vitrine-media")) return route.continue();
    if (writes++ === 0) {
      await stuck;
      return route.abort().catch(() => {});
    }
    return route.continue();
  });
  await page.getByTestId("upload-input").setInputFiles([SMALL_PHOTOS[0]]);
  const item = page.getByTestId("upload-item").first();
  await expect(item).toHaveAttribute("data-state", "uploading");
  await expect.poll(() => writes).toBe(1);
  await page.clock.fastForward("01:05");
  await expect(item.getByTestId("upload-waiting")).toContainText("Storage not reachable");
  await page.clock.fastForward("00:02");
  await expect(item).toHaveAttribute("data-state", "done");
  await expect(page.getByTestId("gallery-item")).toHaveCount(1);
  // The stalled file and then the three sent again.
  expect(writes).toBe(4);
  unstick();
});
