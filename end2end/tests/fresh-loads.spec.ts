// No page is ever dead. Each page is loaded fresh (a new document, as from a bookmark or a
// reload) many times while it has real content, and then used: a page whose hydration failed
// still looks right (the server rendered it) but does nothing, so every load must both raise no
// page error (the shared fixture fails the test on any) and answer the seller's next action.
import { BrowserContext, Page } from "@playwright/test";
import { corpus } from "./support/jpeg";
import * as pages from "./support/pages";
import { hydrated } from "./support/pages";
import { VitrineServer } from "./support/server";
import { expect, test } from "./support/test";

// The product page is where hydration once failed on about half the loads: at least 20.
const PRODUCT_LOADS = 20;
const OTHER_LOADS = 8;
const SELLER = "fay@shop.example";
const ADMIN = "ada@shop.example";
const ADMIN_PASSWORD = "admin password 123";

let server: VitrineServer;
// The seller's signed-in session; each test opens its own context with it, so the page-error
// fixture watches it (contexts made in beforeAll are outside any test).
let sellerSession: Awaited<ReturnType<BrowserContext["storageState"]>>;
let productPath: string;

test.describe.configure({ mode: "serial" });

test.beforeAll(async ({ browser }) => {
  server = await VitrineServer.start();
  server.cli(["user", "add", ADMIN, "--admin", "--password-stdin"], `${ADMIN_PASSWORD}\n`);
  const setup = await browser.newContext();
  const page = await setup.newPage();
  await pages.signUp(page, server.url, SELLER);
  productPath = new URL(await pages.createProduct(page, "Linen aprons")).pathname;
  await pages.upload(page, [corpus("photos/DSCN0010.jpg"), corpus("photos/jolla.jpg")]);
  sellerSession = await setup.storageState();
  await setup.close();
});
test.afterAll(async () => {
  await server?.dispose();
});

async function fresh(context: BrowserContext, path: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${server.url}${path}`);
  await hydrated(page);
  return page;
}

async function galleryOrder(page: Page): Promise<string[]> {
  return page.getByTestId("gallery-item").evaluateAll((els) => els.map((e) => e.getAttribute("data-image-id")!));
}

/// Follows an in-app link and proves the router handled it in this document (no new page load).
async function navigateInApp(page: Page, link: ReturnType<Page["locator"]>, to: RegExp) {
  await page.evaluate(() => ((window as any).sameDocument = true));
  await link.click();
  await page.waitForURL(to);
  expect(await page.evaluate(() => (window as any).sameDocument)).toBe(true);
}

test(`a product page with photos works after each of ${PRODUCT_LOADS} fresh loads: upload, lightbox, move`, async ({ browser }) => {
  const seller = await browser.newContext({ storageState: sellerSession });
  for (let load = 0; load < PRODUCT_LOADS; load++) {
    await test.step(`load ${load + 1}`, async () => {
      const page = await fresh(seller, productPath);
      const cards = page.getByTestId("gallery-item");
      await expect(cards).toHaveCount(2 + load);

      // One more photo: it is processed, uploaded, registered and appears in this gallery.
      await page.getByTestId("upload-input").setInputFiles(corpus("photos/odd-exif.jpg"));
      await expect(page.getByTestId("upload-item")).toHaveAttribute("data-state", "done", { timeout: 60_000 });
      await expect(cards).toHaveCount(3 + load);

      // The lightbox opens on the first photo and closes with Escape.
      await page.getByTestId("image-open").first().click();
      const box = page.getByTestId("lightbox");
      await expect(box.getByTestId("lightbox-position")).toHaveText(`1 of ${3 + load}`);
      await page.keyboard.press("Escape");
      await expect(box).toBeHidden();

      // The newest photo becomes the cover, here and after the server is asked again.
      const order = await galleryOrder(page);
      const last = order[order.length - 1];
      await cards.last().getByTestId("image-cover").click();
      const moved = [last, ...order.slice(0, -1)];
      await expect.poll(() => galleryOrder(page)).toEqual(moved);
      await page.close();
    });
  }
  await seller.close();
});

test(`the products list works after each of ${OTHER_LOADS} fresh loads`, async ({ browser }) => {
  const seller = await browser.newContext({ storageState: sellerSession });
  for (let load = 0; load < OTHER_LOADS; load++) {
    const page = await fresh(seller, "/products");
    const links = page.getByTestId("product-link");
    await expect(links).toHaveCount(1 + load);
    await page.getByTestId("product-name").fill(`Spare product ${load + 1}`);
    await page.getByTestId("product-create").click();
    await expect(links).toHaveCount(2 + load);
    await navigateInApp(page, links.filter({ hasText: "Linen aprons" }), /\/products\/\d+$/);
    await expect(page.getByTestId("product-title")).toHaveText("Linen aprons");
    await page.close();
  }
  await seller.close();
});

test(`the history works after each of ${OTHER_LOADS} fresh loads`, async ({ browser }) => {
  const seller = await browser.newContext({ storageState: sellerSession });
  for (let load = 0; load < OTHER_LOADS; load++) {
    const page = await fresh(seller, `${productPath}/history`);
    await expect(page.getByTestId("history-entry").first()).toBeVisible();
    await navigateInApp(page, page.locator(".crumbs a").first(), new RegExp(`${productPath}$`));
    await expect(page.getByTestId("gallery-item").first()).toBeVisible();
    await page.close();
  }
  await seller.close();
});

test(`the review queue works after each of ${OTHER_LOADS} fresh loads: each approval shrinks it`, async ({ browser }) => {
  const admin = await browser.newContext();
  const signIn = await admin.newPage();
  await pages.signIn(signIn, server.url, ADMIN, ADMIN_PASSWORD);
  await signIn.close();
  const pending = 2 + PRODUCT_LOADS;
  for (let load = 0; load < OTHER_LOADS; load++) {
    const page = await fresh(admin, "/admin/review");
    const items = page.getByTestId("review-item");
    await expect(items).toHaveCount(pending - load);
    await items.first().getByTestId("review-approve").click();
    await expect(items).toHaveCount(pending - load - 1);
    await page.close();
  }
  await admin.close();
});

test(`the storefront works after each of ${OTHER_LOADS} fresh loads`, async ({ browser }) => {
  const shopper = await browser.newContext();
  const productId = productPath.split("/").pop();
  for (let load = 0; load < OTHER_LOADS; load++) {
    const page = await fresh(shopper, `/store/${productId}`);
    // The review test approved OTHER_LOADS images; only those are public.
    await expect(page.getByTestId("store-image")).toHaveCount(OTHER_LOADS);
    await navigateInApp(page, page.locator("a.brand"), new RegExp(`${server.url}/$`));
    await page.close();
  }
  await shopper.close();
});

test(`sign-in works after each of ${OTHER_LOADS} fresh loads`, async ({ browser }) => {
  for (let load = 0; load < OTHER_LOADS; load++) {
    const visitor = await browser.newContext();
    const page = await fresh(visitor, "/signin");
    await page.getByTestId("signin-email").fill(SELLER);
    await page.getByTestId("signin-password").fill(pages.PASSWORD);
    await page.getByTestId("signin-submit").click();
    await page.waitForURL(`${server.url}/products`);
    await expect(page.getByTestId("product-link").first()).toBeVisible();
    await visitor.close();
  }
});
