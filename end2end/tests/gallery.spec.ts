// A seller curates a gallery: lightbox, drag and keyboard order (focus stays on the moved
// photo), rename and delete the product, the audit trail, pictures the store lost; signed-out
// visitors go to sign in.
import { Page } from "@playwright/test";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect, test } from "./support/test";
import { corpus, SMALL_PHOTOS } from "./support/jpeg";
import { BUSY, createProduct, hydrated, shots, signIn, signUp, upload } from "./support/pages";
import { VitrineServer } from "./support/server";

let server: VitrineServer;
test.beforeAll(async () => {
  server = await VitrineServer.start();
});
test.afterAll(async () => {
  await server?.dispose();
});

const PHOTOS = SMALL_PHOTOS;

async function galleryOrder(page: Page): Promise<string[]> {
  return page.getByTestId("gallery-item").evaluateAll((els) => els.map((e) => e.getAttribute("data-image-id")!));
}

/// The `data-image-id` of the gallery card holding keyboard focus.
async function focusedCard(page: Page): Promise<string | null> {
  return page.evaluate(() => document.activeElement?.closest("[data-testid=gallery-item]")?.getAttribute("data-image-id") ?? null);
}

test("the lightbox opens with Enter, moves with the arrows, and Esc returns focus to the thumbnail", async ({ page }) => {
  await signUp(page, server.url, "gil@shop.example");
  await createProduct(page, "Pottery set");
  await upload(page, PHOTOS);
  const ids = await galleryOrder(page);

  await page.getByTestId("image-open").first().focus();
  await page.keyboard.press("Enter");
  const box = page.getByTestId("lightbox");
  await expect(box).toBeVisible();
  await expect(box.getByTestId("lightbox-position")).toHaveText("1 of 3");
  await expect(box.getByTestId("lightbox-image")).toHaveAttribute("data-image-id", ids[0]);
  // The photo really loads (a signed URL on the store), at a size fit for the screen.
  await expect.poll(() => box.getByTestId("lightbox-image").evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0);
  await page.screenshot({ path: `${shots}/lightbox.png` });

  await page.keyboard.press("ArrowRight");
  await expect(box.getByTestId("lightbox-position")).toHaveText("2 of 3");
  // Said to screen readers too: focus stays on Close, so nothing else would tell them.
  await expect(box.getByTestId("lightbox-status")).toHaveText(/^2 of 3: /);
  await page.keyboard.press("ArrowRight");
  await page.keyboard.press("ArrowRight");
  await expect(box.getByTestId("lightbox-position")).toHaveText("1 of 3");
  await page.keyboard.press("ArrowLeft");
  await expect(box.getByTestId("lightbox-image")).toHaveAttribute("data-image-id", ids[2]);
  // Focus stays inside the dialog while it is open.
  await page.keyboard.press("Tab");
  expect(await page.evaluate(() => !!document.activeElement?.closest("dialog"))).toBe(true);

  await page.keyboard.press("Escape");
  await expect(box).toBeHidden();
  await expect.poll(() => focusedCard(page)).toBe(ids[2]);
  expect(await page.evaluate(() => document.activeElement?.getAttribute("data-testid"))).toBe("image-open");

  // A click opens it too, and the close button closes it, leaving the focus on the photo last
  // shown as Esc does (it once went to the thumbnail that opened the viewer).
  await page.getByTestId("image-open").nth(1).click();
  await expect(box.getByTestId("lightbox-position")).toHaveText("2 of 3");
  await page.keyboard.press("ArrowRight");
  await expect(box.getByTestId("lightbox-position")).toHaveText("3 of 3");
  await box.getByTestId("lightbox-close").click();
  await expect(box).toBeHidden();
  await expect.poll(() => focusedCard(page)).toBe(ids[2]);
});

test("alt text being typed survives uploads that redraw the gallery, and keeps its focus", async ({ page }) => {
  await signUp(page, server.url, "ida@shop.example");
  await createProduct(page, "Tea towels");
  await upload(page, [PHOTOS[0]]);
  const alt = page.getByTestId("gallery-item").first().getByTestId("image-alt");
  await alt.fill("Three tea towels, folded");
  await alt.evaluate((el) => ((el as any).kept = true));
  // Another photo registers while the seller is still typing: the gallery updates, but the
  // card being typed in is kept as it is (cards are keyed by image), field, text and focus.
  await upload(page, [PHOTOS[1]]);
  await expect(page.getByTestId("gallery-item")).toHaveCount(2);
  expect(await alt.evaluate((el) => (el as any).kept)).toBe(true);
  await expect(alt).toHaveValue("Three tea towels, folded");
  await expect(alt).toBeFocused();
  await page.keyboard.type(" on a shelf");
  const id = await page.getByTestId("gallery-item").first().getAttribute("data-image-id");
  const saved = page.waitForResponse((r) => r.url().endsWith("/api/update_image_alt") && r.ok());
  await page.keyboard.press("Enter");
  const body = new URLSearchParams((await saved).request().postData() ?? "");
  expect(body.get("image_id")).toBe(id);
  expect(body.get("alt_text")).toBe("Three tea towels, folded on a shelf");
});

test("a product with more photos than a page shows brings the rest on request, from the keyboard or the lightbox", async ({ page, pageErrors }) => {
  const email = "max@shop.example";
  await signUp(page, server.url, email);
  // 43 photos, one more page than the first: an old shop's folder, imported.
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "vitrine-big-gallery-"));
  const photo = fs.readFileSync(corpus("photos/odd-exif.jpg"));
  for (let i = 0; i < 43; i++) {
    // Bytes after the end of the JPEG make each file its own content.
    fs.writeFileSync(path.join(folder, `shelf-${String(i).padStart(2, "0")}.jpg`), Buffer.concat([photo, Buffer.from(`#${i}`)]));
  }
  // The seller signed up on the site: the operator vouches for the account.
  server.cli(["import", folder, "--seller", email, "--product", "Big shelf", "--approve", "--trust-site-accounts"]);
  fs.rmSync(folder, { recursive: true });
  await page.goto(`${server.url}/products`);
  await hydrated(page);
  await page.getByTestId("product-link").filter({ hasText: "Big shelf" }).click();
  await page.waitForURL(/\/products\/\d+$/);
  await hydrated(page);

  const cards = page.getByTestId("gallery-item");
  await expect(cards).toHaveCount(40);
  await expect(page.getByTestId("gallery-shown")).toHaveText("40 of 43 shown");
  const more = page.getByTestId("gallery-more");
  await expect(more).toHaveText("Show 3 more");
  await more.focus();
  await page.screenshot({ path: `${shots}/gallery-more.png` });
  // The first ask fails: it says so, and the same button asks again (it once did nothing,
  // as the count asked for had not changed).
  pageErrors.allow(/\/api\/list_gallery: .*status of 503/);
  await page.route("**/api/list_gallery", (route) => route.fulfill(BUSY), { times: 1 });
  await page.keyboard.press("Enter");
  await expect(page.getByRole("alert").filter({ hasText: "The server is busy" })).toBeVisible();
  await expect(cards).toHaveCount(40);
  await expect(more).toBeEnabled();
  await more.focus();
  await page.keyboard.press("Enter");
  await expect(cards).toHaveCount(43);
  await expect(more).toHaveCount(0);
  await expect(page.getByTestId("gallery-shown")).toHaveCount(0);
  const ids = await galleryOrder(page);
  // Focus lands on the first photo that came in, where the seller goes on reading.
  await expect.poll(() => focusedCard(page)).toBe(ids[40]);

  // Fresh again: the lightbox counts every photo, and stepping back from the cover brings the
  // last one, not loaded yet, and shows it.
  await page.reload();
  await hydrated(page);
  await expect(cards).toHaveCount(40);
  await page.getByTestId("image-open").first().click();
  const box = page.getByTestId("lightbox");
  await expect(box.getByTestId("lightbox-position")).toHaveText("1 of 43");
  // A failed load says so in the viewer (not "Loading…" for ever), and the arrows ask again.
  await page.route("**/api/list_gallery", (route) => route.fulfill(BUSY), { times: 1 });
  await page.keyboard.press("ArrowLeft");
  await expect(box.getByTestId("lightbox-error")).toContainText("Press an arrow to try again");
  await page.screenshot({ path: `${shots}/lightbox-load-failed.png` });
  await page.keyboard.press("ArrowLeft");
  await expect(box.getByTestId("lightbox-position")).toHaveText("42 of 43");
  await expect(box.getByTestId("lightbox-image")).toHaveAttribute("data-image-id", ids[41]);
  await page.keyboard.press("ArrowRight");
  await expect(box.getByTestId("lightbox-position")).toHaveText("43 of 43");
  await expect(box.getByTestId("lightbox-image")).toHaveAttribute("data-image-id", ids[42]);
  await expect.poll(() => box.getByTestId("lightbox-image").evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0);
  await page.keyboard.press("Escape");
  await expect(cards).toHaveCount(43);
  await expect.poll(() => focusedCard(page)).toBe(ids[42]);

  // The storefront, to anyone: the first page of photos, then the rest.
  const productId = page.url().split("/").pop();
  const shopper = await page.context().browser()!.newPage();
  await shopper.goto(`${server.url}/store/${productId}`);
  await hydrated(shopper);
  await expect(shopper.getByTestId("store-image")).toHaveCount(40);
  await shopper.getByTestId("store-more").focus();
  await shopper.keyboard.press("Enter");
  await expect(shopper.getByTestId("store-image")).toHaveCount(43);
  await expect(shopper.getByTestId("store-more")).toHaveCount(0);
  // The button went with the last batch; the first new photo has the focus.
  await expect(shopper.getByTestId("store-image").nth(40)).toBeFocused();
  await shopper.close();
});

test("drag and keyboard reorder persist, and focus stays on the moved photo", async ({ page }) => {
  await signUp(page, server.url, "hal@shop.example");
  const productUrl = await createProduct(page, "Wool throws");
  await upload(page, PHOTOS);
  const [a, b, c] = await galleryOrder(page);
  // Moves reorder the cards the page has, each with its own picture element, rather than
  // redrawing every place with another image's data (and loading its picture again).
  const pictureOf = () =>
    page.evaluate(() =>
      [...document.querySelectorAll("[data-testid=gallery-item]")].map((card) => {
        const img = card.querySelector("img") as any;
        img.drawnFor ??= card.getAttribute("data-image-id");
        return img.drawnFor === card.getAttribute("data-image-id");
      }),
    );
  expect(await pictureOf()).toEqual([true, true, true]);

  // Drag the last photo onto the first place.
  await page.getByTestId("gallery-item").nth(2).dragTo(page.getByTestId("gallery-item").nth(0));
  await expect.poll(() => galleryOrder(page)).toEqual([c, a, b]);
  await expect(page.getByTestId("gallery-item").first().locator(".badge-cover")).toBeVisible();

  // Keyboard only: move the second photo later twice; focus follows it each time.
  const later = page.locator(`[data-testid=gallery-item][data-image-id="${a}"] [data-testid=image-later]`);
  await later.focus();
  await page.keyboard.press("Enter");
  await expect.poll(() => galleryOrder(page)).toEqual([c, b, a]);
  await expect.poll(() => focusedCard(page)).toBe(a);
  // It is last now: "later" is disabled, so focus sits on the photo itself; Shift+Tab reaches "earlier".
  await expect(later).toBeDisabled();
  await page.locator(`[data-testid=gallery-item][data-image-id="${a}"] [data-testid=image-earlier]`).focus();
  await page.keyboard.press("Enter");
  await expect.poll(() => galleryOrder(page)).toEqual([c, a, b]);
  await expect.poll(() => focusedCard(page)).toBe(a);
  expect(await page.evaluate(() => document.activeElement?.getAttribute("data-testid"))).toBe("image-earlier");
  expect(await pictureOf()).toEqual([true, true, true]);

  await page.goto(productUrl);
  await hydrated(page);
  await expect.poll(() => galleryOrder(page)).toEqual([c, a, b]);
});

test("a product is renamed, its history kept, and deleted with a confirmation that counts its images", async ({ page, pageErrors }) => {
  await signUp(page, server.url, "ivy@shop.example");
  const productUrl = await createProduct(page, "Linen tote");
  const productId = productUrl.split("/").pop();
  const before = server.storedObjects().length;
  await upload(page, PHOTOS.slice(0, 2));
  expect(server.storedObjects()).toHaveLength(before + 6);

  await page.getByTestId("product-settings").click();
  await page.getByTestId("product-rename-name").fill("Linen tote, natural");
  await page.getByTestId("product-rename").click();
  await expect(page.getByTestId("product-title")).toHaveText("Linen tote, natural");
  // Said where the seller is, not only in the title out of sight.
  await expect(page.getByTestId("product-renamed")).toHaveText("Renamed.");
  await page.getByTestId("image-alt").first().fill("Tote on a hook");
  await page.getByTestId("image-alt").first().press("Enter");
  await page.screenshot({ path: `${shots}/product-settings.png`, fullPage: true });

  // The history lists each change, newest first, with who made it.
  await page.getByTestId("product-history").click();
  await page.waitForURL(`${server.url}/products/${productId}/history`);
  const entries = page.getByTestId("history-entry");
  await expect(entries.first()).toHaveAttribute("data-action", "alt_text_edited");
  await expect(entries.first()).toContainText("Tote on a hook");
  const actions = await entries.evaluateAll((els) => els.map((e) => e.getAttribute("data-action")));
  expect(actions).toEqual(["alt_text_edited", "product_renamed", "uploaded", "uploaded", "product_created"]);
  await expect(entries.nth(1)).toContainText("Linen tote → Linen tote, natural");
  await expect(entries.first()).toContainText("ivy@shop.example");
  await page.screenshot({ path: `${shots}/history.png`, fullPage: true });

  // Deleting asks first, naming how many images go; dismissing changes nothing.
  await page.goto(productUrl);
  await hydrated(page);
  await page.getByTestId("product-settings").click();
  let question = "";
  page.once("dialog", (d) => {
    question = d.message();
    void d.dismiss();
  });
  await page.getByTestId("product-delete").click();
  await expect.poll(() => question).toContain("and its 2 images");
  await expect(page.getByTestId("gallery-item")).toHaveCount(2);

  page.once("dialog", (d) => void d.accept());
  await page.getByTestId("product-delete").click();
  await page.waitForURL(`${server.url}/products`);
  await expect(page.getByTestId("product-link")).toHaveCount(0);
  expect(server.storedObjects()).toHaveLength(before);
  // Nothing was left for the garbage collector either.
  const gc = server.cli(["gc", "--dry-run", "--grace-hours", "0"]);
  expect(gc).toContain("objects of deleted images: 0 would remove");
  expect(gc).toContain("unreferenced objects older than 0 h: 0 would remove");
  pageErrors.allow(new RegExp(`/store/${productId}: Failed to load resource: .* 404`));
  const gone = await page.goto(`${server.url}/store/${productId}`);
  expect(gone?.status()).toBe(404);
});

test("signed-out visitors are sent to sign in and brought back", async ({ page, browser, pageErrors }) => {
  await signUp(page, server.url, "jo@shop.example");
  const productUrl = await createProduct(page, "Brass hooks");
  const path = new URL(productUrl).pathname;

  const stranger = await (await browser.newContext()).newPage();
  await stranger.goto(productUrl);
  await stranger.waitForURL(`${server.url}/signin?next=${encodeURIComponent(path)}`);
  await hydrated(stranger);
  await stranger.getByTestId("signin-email").fill("jo@shop.example");
  await stranger.getByTestId("signin-password").fill("correct horse battery");
  await stranger.getByTestId("signin-submit").click();
  await stranger.waitForURL(productUrl);
  await expect(stranger.getByTestId("product-title")).toHaveText("Brass hooks");

  // A session that ends while a page is open: the next in-app navigation goes to sign in.
  await page.goto(`${server.url}/products`);
  await hydrated(page);
  await page.context().clearCookies();
  // The page's next requests are refused as signed out, which is what sends it to sign in.
  pageErrors.allow(/\/api\/get_product_page: Failed to load resource/);
  await page.getByTestId("product-link").first().click();
  await page.waitForURL(`${server.url}/signin?next=${encodeURIComponent(path)}`);
});

test("every screen at phone width", async ({ browser }) => {
  // 360 px: the narrowest common Android width.
  const phone = { viewport: { width: 360, height: 780 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
  const page = await (await browser.newContext(phone)).newPage();
  await signUp(page, server.url, "lou@shop.example");
  // The account page (and its "sign out everywhere") stays one tap away.
  await expect(page.getByTestId("account-link")).toBeVisible();
  await expect(page.getByTestId("account-link")).toHaveAccessibleName("Account");
  // A field and the focus ring on it can be seen: 3:1 against what is around them (WCAG 1.4.11).
  const name = page.getByTestId("product-name");
  await name.focus();
  const [ring, edge] = await name.evaluate((el) => [getComputedStyle(el).outlineColor, getComputedStyle(el).borderTopColor]);
  expect(contrast(ring, "rgb(246, 245, 242)")).toBeGreaterThanOrEqual(3);
  expect(contrast(edge, "rgb(255, 255, 255)")).toBeGreaterThanOrEqual(3);
  await page.screenshot({ path: `${shots}/phone-products.png`, fullPage: true });
  const productUrl = await createProduct(page, "Cane chair");
  const productPath = new URL(productUrl).pathname;
  await upload(page, PHOTOS.slice(1, 3));
  await page.getByTestId("product-settings").click();
  await page.screenshot({ path: `${shots}/phone-product.png`, fullPage: true });
  await page.getByTestId("image-open").first().click();
  await expect(page.getByTestId("lightbox")).toBeVisible();
  await page.screenshot({ path: `${shots}/phone-lightbox.png` });
  await page.keyboard.press("Escape");
  await page.goto(`${server.url}${productPath}/history`);
  await expect(page.getByTestId("history-entry").first()).toBeVisible();
  await page.screenshot({ path: `${shots}/phone-history.png`, fullPage: true });

  server.cli(["user", "add", "ops@shop.example", "--admin", "--password-stdin"], "admin password 123\n");
  const admin = await (await browser.newContext(phone)).newPage();
  await signIn(admin, server.url, "ops@shop.example", "admin password 123");
  await admin.goto(`${server.url}/admin/review`);
  await hydrated(admin);
  const chairs = admin.getByTestId("review-item").filter({ hasText: "Cane chair" });
  await expect(chairs).toHaveCount(2);
  await admin.screenshot({ path: `${shots}/phone-review.png`, fullPage: true });
  for (const item of await chairs.all()) {
    await item.getByTestId("review-select").check();
  }
  await admin.getByTestId("review-approve-selected").click();
  await expect(chairs).toHaveCount(0);

  const shopper = await (await browser.newContext(phone)).newPage();
  await shopper.goto(`${server.url}/store/${productPath.split("/").pop()}`);
  await expect(shopper.getByTestId("store-image")).toHaveCount(2);
  await shopper.screenshot({ path: `${shots}/phone-storefront.png`, fullPage: true });
  // Nothing sticks out sideways on a phone.
  for (const p of [page, admin, shopper]) {
    expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  }
});

test("a picture whose files left the store shows as broken, with Upload again and Delete; a blip offers Load again", async ({ page, pageErrors }) => {
  await signUp(page, server.url, "kim@shop.example");
  await createProduct(page, "Wool blanket");
  await upload(page, PHOTOS.slice(0, 2));
  const [lost, kept] = await galleryOrder(page);
  const folderOf = async (id: string) => {
    const src = await page.locator(`[data-testid=gallery-item][data-image-id="${id}"] img`).getAttribute("src");
    return src!.match(/sellers\/\d+\/[0-9a-f]{32}/)![0];
  };
  // Someone deletes the first photo's files from the bucket by hand.
  const lostFolder = await folderOf(lost);
  const root = path.join(server.dataDir, "store/objects/vitrine-media/media");
  fs.rmSync(path.join(root, lostFolder), { recursive: true });
  expect(server.storedObjects().filter((k) => k.includes(lostFolder))).toEqual([]);
  pageErrors.allow(/Failed to load resource: the server responded with a status of 404/);
  // Media is immutable and cached for good: a browser that has it keeps showing it, so this
  // one forgets it first, as another seller's browser would never have had it.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.clearBrowserCache");

  await page.reload();
  await hydrated(page);
  const broken = page.locator(`[data-testid=gallery-item][data-image-id="${lost}"]`).getByTestId("image-broken");
  await expect(broken).toHaveAttribute("data-state", "damaged");
  await expect(broken).toContainText("Its files are missing from storage (display, medium, thumb)");
  await expect(page.locator(`[data-testid=gallery-item][data-image-id="${kept}"]`).getByTestId("image-broken")).toHaveCount(0);
  await page.screenshot({ path: `${shots}/gallery-broken.png`, fullPage: true });

  // Upload again opens the picker; the new photo joins the gallery.
  const chooser = page.waitForEvent("filechooser");
  await broken.getByTestId("image-reupload").click();
  await (await chooser).setFiles(PHOTOS[0]);
  await expect(page.getByTestId("upload-item").last()).toHaveAttribute("data-state", "done", { timeout: 120_000 });
  await expect(page.getByTestId("gallery-item")).toHaveCount(3);
  // Delete removes the broken one, rows and all: nothing left for gc, nothing broken shown.
  page.once("dialog", (d) => void d.accept());
  await broken.getByTestId("image-broken-delete").click();
  await expect(page.getByTestId("gallery-item")).toHaveCount(2);
  await expect(page.getByTestId("image-broken")).toHaveCount(0);
  expect(server.storedObjects().filter((k) => k.includes(lostFolder))).toEqual([]);
  expect(server.cli(["check"])).toContain("all in the store as registered");

  // A network blip is not a lost picture: the files are there, so the card offers Load again.
  const [blipped] = await galleryOrder(page);
  const blippedFolder = await folderOf(blipped);
  const theBlipped = (url: URL) => url.pathname.includes(blippedFolder);
  await page.route(theBlipped, (route) => route.abort("connectionreset"));
  pageErrors.allow(/net::ERR_CONNECTION_RESET/);
  await cdp.send("Network.clearBrowserCache");
  await page.reload();
  await hydrated(page);
  const blip = page.locator(`[data-testid=gallery-item][data-image-id="${blipped}"]`).getByTestId("image-broken");
  await expect(blip).toHaveAttribute("data-state", "load-failed");
  await page.unroute(theBlipped);
  await blip.getByTestId("image-reload").focus();
  await page.keyboard.press("Enter");
  await expect(blip).toHaveCount(0);
  // The button went with the panel; the picture's own button has the focus.
  await expect(page.locator(`[data-testid=gallery-item][data-image-id="${blipped}"]`).getByTestId("image-open")).toBeFocused();
  const card = page.locator(`[data-testid=gallery-item][data-image-id="${blipped}"] img`);
  await expect.poll(() => card.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0);
});

/** WCAG's contrast ratio of two `rgb(r, g, b)` colours. */
function contrast(a: string, b: string): number {
  const luminance = (rgb: string) => {
    const [r, g, b] = rgb.match(/\d+(\.\d+)?/g)!.slice(0, 3).map((v) => {
      const c = Number(v) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}
