// Nothing looks done that is not: a double click makes one product; a sign-out or an alt text
// the server did not take says so, and pressing again does it; two quick moves of a photo
// never end in a false "changed in another window".
import { Page } from "@playwright/test";
import { expect, test } from "./support/test";
import { SMALL_PHOTOS } from "./support/jpeg";
import { BUSY, createProduct, hydrated, signIn, shots, signUp, upload } from "./support/pages";
import { VitrineServer } from "./support/server";

let server: VitrineServer;
test.beforeAll(async () => {
  server = await VitrineServer.start();
});
test.afterAll(async () => {
  await server?.dispose();
});

async function galleryOrder(page: Page): Promise<string[]> {
  return page.getByTestId("gallery-item").evaluateAll((els) => els.map((e) => e.getAttribute("data-image-id")!));
}

test("a double click on Create product makes one product", async ({ page }) => {
  await signUp(page, server.url, "una@shop.example");
  await page.getByTestId("product-name").fill("Linen apron");
  // The answer is held back, so the second click lands while the first is on its way.
  let creates = 0;
  await page.route("**/api/create_product", async (route) => {
    creates++;
    await new Promise((r) => setTimeout(r, 400));
    await route.continue();
  });
  await page.getByTestId("product-create").dblclick();
  await expect(page.getByTestId("product-link").filter({ hasText: "Linen apron" })).toHaveCount(1);
  await page.reload();
  await hydrated(page);
  await expect(page.getByTestId("product-link").filter({ hasText: "Linen apron" })).toHaveCount(1);
  expect(creates).toBe(1);
});

test("a sign-out the server did not take says so, and the next click signs out", async ({ page, pageErrors }) => {
  pageErrors.allow(/\/api\/sign_out: .*status of 503/);
  await signUp(page, server.url, "vic@shop.example");
  await page.route("**/api/sign_out", (route) => route.fulfill(BUSY), { times: 1 });
  await page.getByTestId("signout").click();
  await expect(page.getByTestId("signout-error")).toContainText("Not signed out");
  await page.screenshot({ path: `${shots}/sign-out-refused.png` });
  expect(page.url()).toBe(`${server.url}/products`);
  await page.getByTestId("signout").click();
  await page.waitForURL(`${server.url}/signin`);
  expect((await page.context().cookies()).filter((c) => c.name.includes("vitrine_session"))).toEqual([]);
});

test("an alt text the server did not take is sent again with Enter, and kept, whatever another photo's save did", async ({ page, pageErrors }) => {
  pageErrors.allow(/\/api\/update_image_alt: .*status of 503/);
  await signUp(page, server.url, "wes@shop.example");
  const productUrl = await createProduct(page, "Wool socks");
  await upload(page, SMALL_PHOTOS.slice(0, 2));
  const [first, second] = [page.getByTestId("gallery-item").first(), page.getByTestId("gallery-item").nth(1)];
  await page.route("**/api/update_image_alt", (route) => route.fulfill(BUSY), { times: 1 });
  const alt = first.getByTestId("image-alt");
  await alt.fill("Grey wool socks, rolled");
  await alt.press("Enter");
  await expect(first.getByTestId("image-alt-error")).toContainText("busy");
  // Another photo's save succeeds: this one's failure stays, and still counts as one (with one
  // save for all cards, the other's success hid it and Enter here then sent nothing).
  await second.getByTestId("image-alt").fill("Blue wool socks");
  await second.getByTestId("image-alt").press("Enter");
  await expect(second.getByTestId("image-alt-saved")).toHaveText("Saved");
  await expect(second.locator("img")).toHaveAttribute("alt", "Blue wool socks");
  await expect(first.getByTestId("image-alt-error")).toContainText("busy");
  // The same text again: a retry, which goes out and sticks.
  const saved = page.waitForResponse((r) => r.url().endsWith("/api/update_image_alt") && r.ok());
  await alt.press("Enter");
  await saved;
  await expect(first.getByTestId("image-alt-saved")).toHaveText("Saved");
  await expect(first.getByTestId("image-alt-error")).toHaveCount(0);
  await page.screenshot({ path: `${shots}/alt-saved.png`, fullPage: true });
  await page.goto(productUrl);
  await hydrated(page);
  await expect(page.getByTestId("gallery-item").first().getByTestId("image-alt")).toHaveValue("Grey wool socks, rolled");
});

test("two quick presses of a move never end in a false conflict", async ({ page }) => {
  await signUp(page, server.url, "xia@shop.example");
  const productUrl = await createProduct(page, "Linen napkins");
  await upload(page, SMALL_PHOTOS.slice(0, 3));
  const [a, b, c] = await galleryOrder(page);
  // Slow answers, so the second press comes while the first move is on its way.
  const moves: string[] = [];
  await page.route("**/api/move_image", async (route) => {
    await new Promise((r) => setTimeout(r, 500));
    const answer = await route.fetch();
    moves.push(`${answer.status()}`);
    await route.fulfill({ response: answer });
  });
  await page.locator(`[data-testid=gallery-item][data-image-id="${a}"] [data-testid=image-later]`).focus();
  await page.keyboard.press("Enter");
  await page.keyboard.press("Enter");
  await expect.poll(() => galleryOrder(page)).toEqual([b, a, c]);
  await expect(page.getByTestId("gallery-status")).toContainText("Still saving the last move");
  await expect(page.locator(".form-error").filter({ hasText: /another window/ })).toHaveCount(0);
  expect(moves).toEqual(["200"]);
  // The next press, once the first is answered, moves it again.
  await page.keyboard.press("Enter");
  await expect.poll(() => galleryOrder(page)).toEqual([b, c, a]);
  await page.goto(productUrl);
  await hydrated(page);
  await expect.poll(() => galleryOrder(page)).toEqual([b, c, a]);
});

test("a photo being checked offers no Cancel that would not be kept: it lands in the gallery", async ({ page }) => {
  await signUp(page, server.url, "yan@shop.example");
  await createProduct(page, "Clay cups");
  // The server's answer is held back, so the row stays on "Checking" a while.
  let release: () => void = () => {};
  const held = new Promise<void>((r) => (release = r));
  await page.route("**/api/complete_upload", async (route) => {
    await held;
    await route.continue();
  });
  await page.getByTestId("upload-input").setInputFiles([SMALL_PHOTOS[0]]);
  const item = page.getByTestId("upload-item").first();
  await expect(item).toHaveAttribute("data-state", "verifying");
  await expect(item.getByTestId("upload-cancel")).toHaveCount(0);
  release();
  await expect(item).toHaveAttribute("data-state", "done");
  await expect(page.getByTestId("gallery-item")).toHaveCount(1);
});

test("a product name the server did not take stays in the field, and the next press makes it", async ({ page, pageErrors }) => {
  pageErrors.allow(/\/api\/create_product: .*status of 503/);
  await signUp(page, server.url, "zoe@shop.example");
  await page.route("**/api/create_product", (route) => route.fulfill(BUSY), { times: 1 });
  const name = page.getByTestId("product-name");
  await name.fill("Felt slippers");
  await name.press("Enter");
  await expect(page.locator(".form-error").filter({ hasText: "busy" })).toBeVisible();
  // Once the list was rebuilt around the form and the name was gone.
  await expect(name).toHaveValue("Felt slippers");
  await expect(name).toBeFocused();
  await name.press("Enter");
  await expect(page.getByTestId("product-link").filter({ hasText: "Felt slippers" })).toHaveCount(1);
  await expect(name).toHaveValue("");
});

test("a review decision the server did not take keeps the queue and the reason typed; Try again brings a queue back", async ({ browser, pageErrors }) => {
  pageErrors.allow(/\/api\/review_(decide|queue): .*status of 503/);
  server.cli(["user", "add", "boss@shop.example", "--admin", "--password-stdin"], "admin password 456\n");
  const seller = await (await browser.newContext()).newPage();
  await signUp(seller, server.url, "ari@shop.example");
  await createProduct(seller, "Brass hooks");
  await upload(seller, SMALL_PHOTOS.slice(0, 2));

  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, server.url, "boss@shop.example", "admin password 456");
  await admin.goto(`${server.url}/admin/review`);
  await hydrated(admin);
  const items = admin.getByTestId("review-item").filter({ hasText: "Brass hooks" });
  await expect(items).toHaveCount(2);
  const reason = items.first().getByTestId("review-reason");
  await reason.fill("Hooks are out of focus");
  await admin.route("**/api/review_decide", (route) => route.fulfill(BUSY), { times: 1 });
  await items.first().getByTestId("review-reject").click();
  await expect(admin.locator(".form-error").filter({ hasText: "busy" })).toBeVisible();
  // Nothing was thrown away: the same rows, the reason as typed.
  await expect(items).toHaveCount(2);
  await expect(reason).toHaveValue("Hooks are out of focus");
  await items.first().getByTestId("review-reject").click();
  await expect(admin.getByTestId("review-status")).toHaveText("Decided 1 image.");
  await expect(items).toHaveCount(1);

  // A queue that cannot be loaded offers to try again, and does.
  await admin.route("**/api/review_queue*", (route) => route.fulfill(BUSY), { times: 1 });
  await items.first().getByTestId("review-approve").click();
  await expect(admin.getByTestId("review-retry")).toBeVisible();
  await admin.screenshot({ path: `${shots}/review-queue-failed.png` });
  await admin.getByTestId("review-retry").click();
  await expect(admin.getByTestId("review-retry")).toHaveCount(0);
  await expect(items).toHaveCount(0);
  await expect(admin.getByTestId("review-status")).toHaveText("Decided 1 image.");
});

test("the upload code that cannot be downloaded says so, and Retry fetches it again", async ({ page, pageErrors }) => {
  // Builds made with --split (all of ours) fetch the uploader's code when the first photo is
  // chosen: on a phone in a back room that fetch can fail. It once panicked, and the page died.
  // The refused fetch is reported by the browser and by wasm-split's loader (its fetch
  // promise rejects before the loader awaits it): theirs, and the page lives on.
  pageErrors.allow(/split_(upload_)?run.*\.wasm|__wasm_split\..*Failed to fetch|uncaught on .*: TypeError: Failed to fetch/);
  await signUp(page, server.url, "ida@shop.example");
  await createProduct(page, "Rattan baskets");
  let refused = 0;
  await page.route(/split_(upload_)?run[^/]*\.wasm$/, (route) => {
    refused++;
    return route.abort("failed");
  }, { times: 1 });
  await page.getByTestId("upload-input").setInputFiles([SMALL_PHOTOS[0]]);
  const item = page.getByTestId("upload-item").first();
  await expect(item.getByTestId("upload-error")).toContainText("could not be downloaded");
  expect(refused).toBe(1);
  await page.screenshot({ path: `${shots}/upload-code-not-downloaded.png` });
  await item.getByTestId("upload-retry").click();
  await expect(item).toHaveAttribute("data-state", "done");
  await expect(page.getByTestId("gallery-item")).toHaveCount(1);
});

test("a page whose script stopped says so, and its link reloads it", async ({ page, pageErrors }) => {
  // A lazy route whose code cannot be downloaded: Leptos panics there, and the page's script
  // stops. Every button would look fine and do nothing; the page must say so instead.
  pageErrors.allow(/split___review_route.*\.wasm|__wasm_split\..*Failed to fetch|uncaught on .*Failed to fetch|panicked|RuntimeError: unreachable/);
  server.cli(["user", "add", "eve@shop.example", "--admin", "--password-stdin"], "admin password 789\n");
  await signIn(page, server.url, "eve@shop.example", "admin password 789");
  await page.route(/split___review_route[^/]*\.wasm$/, (route) => route.abort("failed"), { times: 1 });
  await page.getByRole("link", { name: "Review" }).click();
  const stopped = page.getByTestId("page-stopped");
  await expect(stopped).toContainText("This page stopped working");
  await page.screenshot({ path: `${shots}/page-stopped.png` });
  // The page it stopped on comes back alive, and the way on works.
  await stopped.getByRole("link", { name: "Reload the page" }).click();
  await hydrated(page);
  await expect(page.getByTestId("page-stopped")).toHaveCount(0);
  await page.getByRole("link", { name: "Review" }).click();
  await expect(page.getByRole("heading", { name: "Review uploads" })).toBeVisible();
});
