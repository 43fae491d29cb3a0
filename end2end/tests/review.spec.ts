// Admins review uploads; only approved images reach the public product page.
import { Page } from "@playwright/test";
import { expect, test } from "./support/test";
import { corpus } from "./support/jpeg";
import * as pages from "./support/pages";
import { hydrated, shots } from "./support/pages";
import { VitrineServer } from "./support/server";
let server: VitrineServer;
test.beforeAll(async () => {
  server = await VitrineServer.start();
});
test.afterAll(async () => {
  await server?.dispose();
});

const signIn = (page: Page, email: string, password: string) => pages.signIn(page, server.url, email, password);

test("an admin approves one upload and rejects another; the store shows only the approved one", async ({ browser, pageErrors }) => {
  // Accounts made by the operator's CLI, as the README says.
  expect(server.cli(["user", "add", "admin@shop.example", "--admin", "--password-stdin"], "admin password 123\n")).toContain(
    "created admin account admin@shop.example",
  );
  expect(server.cli(["user", "add", "eve@shop.example", "--password-stdin"], "seller password 123\n")).toContain(
    "created seller account",
  );

  const seller = await (await browser.newContext()).newPage();
  await signIn(seller, "eve@shop.example", "seller password 123");
  await seller.getByTestId("product-name").fill("Oak stool");
  await seller.getByTestId("product-create").click();
  await seller.getByTestId("product-link").filter({ hasText: "Oak stool" }).click();
  await seller.waitForURL(/\/products\/\d+$/);
  await hydrated(seller);
  const productId = seller.url().split("/").pop();
  await seller.getByTestId("upload-input").setInputFiles([corpus("photos/jolla.jpg"), corpus("photos/DSCN0010.jpg")]);
  for (const item of await seller.getByTestId("upload-item").all()) {
    await expect(item).toHaveAttribute("data-state", "done", { timeout: 120_000 });
  }
  await expect(seller.getByTestId("gallery-item")).toHaveCount(2);
  // The seller is told why the store does not show it yet, instead of a link to a 404.
  await expect(seller.getByTestId("product-unpublished")).toContainText("once an admin approves a photo");
  await expect(seller.getByTestId("product-store-link")).toHaveCount(0);

  // Nothing is public before review.
  const shopper = await (await browser.newContext()).newPage();
  // Nothing approved: the product is not published, and looks as if it did not exist.
  pageErrors.allow(new RegExp(`/store/${productId}: Failed to load resource: .* 404`));
  const unpublished = await shopper.goto(`${server.url}/store/${productId}`);
  expect(unpublished?.status()).toBe(404);
  await expect(shopper.getByText("That product was not found.")).toBeVisible();
  await expect(shopper.getByText("Oak stool")).toHaveCount(0);
  await expect(shopper.getByTestId("store-image")).toHaveCount(0);

  // A seller cannot review, and the status line says so.
  pageErrors.allow(/\/admin\/review: Failed to load resource: .* 403/);
  const refused = await seller.goto(`${server.url}/admin/review`);
  expect(refused?.status()).toBe(403);
  await expect(seller.getByText("That needs an admin account.")).toBeVisible();
  await expect(seller.getByTestId("review-item")).toHaveCount(0);

  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, "admin@shop.example", "admin password 123");
  await admin.goto(`${server.url}/admin/review`);
  await hydrated(admin);
  const items = admin.getByTestId("review-item");
  await expect(items).toHaveCount(2);
  await expect(items.first()).toContainText("eve@shop.example");
  await expect(items.first()).toContainText("Oak stool");
  await admin.screenshot({ path: `${shots}/review-queue.png`, fullPage: true });

  const [firstId, secondId] = await items.evaluateAll((els) => els.map((e) => e.getAttribute("data-image-id")));
  // Rejecting without a reason is refused and changes nothing.
  pageErrors.allow(/\/api\/review_decide: Failed to load resource/);
  await items.first().getByTestId("review-reject").click();
  await expect(admin.getByRole("alert").filter({ hasText: "Say why" })).toBeVisible();
  await expect(items).toHaveCount(2);

  await items.first().getByTestId("review-approve").click();
  await expect(items).toHaveCount(1);
  await items.first().getByTestId("review-reason").fill("The label is unreadable");
  await items.first().getByTestId("review-reject").click();
  await expect(admin.getByText("Nothing to review.")).toBeVisible();

  // The seller sees each decision, and the reason.
  await seller.goto(`${server.url}/products/${productId}`);
  await expect(seller.locator(`[data-testid=gallery-item][data-image-id="${firstId}"]`)).toHaveAttribute("data-status", "approved");
  const rejected = seller.locator(`[data-testid=gallery-item][data-image-id="${secondId}"]`);
  await expect(rejected).toHaveAttribute("data-status", "rejected");
  await expect(rejected).toContainText("The label is unreadable");
  await seller.screenshot({ path: `${shots}/gallery-reviewed.png`, fullPage: true });
  await expect(seller.getByTestId("product-unpublished")).toHaveCount(0);

  // The public page shows the approved image only; the seller's link leads there.
  await seller.getByTestId("product-store-link").click();
  await seller.waitForURL(`${server.url}/store/${productId}`);
  await expect(seller.getByTestId("store-image")).toHaveCount(1);
  await shopper.goto(`${server.url}/store/${productId}`);
  await expect(shopper.getByTestId("store-image")).toHaveCount(1);
  await expect(shopper.getByTestId("store-image")).toHaveJSProperty("complete", true);
  expect(await shopper.getByTestId("store-image").evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
  // No alt text was written: the picture is still described (an empty alt hides it from
  // screen readers).
  await expect(shopper.getByTestId("store-image")).toHaveAttribute("alt", "Oak stool, photo 1");
  await shopper.screenshot({ path: `${shots}/storefront.png`, fullPage: true });
  pageErrors.allow(/\/store\/987654: Failed to load resource: .* 404/);
  const missing = await shopper.goto(`${server.url}/store/987654`);
  expect(missing?.status()).toBe(404);
});

test("an admin decides several uploads at once and with the keyboard alone", async ({ browser }) => {
  server.cli(["user", "add", "root@shop.example", "--admin", "--password-stdin"], "admin password 123\n");
  const seller = await (await browser.newContext()).newPage();
  await pages.signUp(seller, server.url, "kim@shop.example");
  const productUrl = await pages.createProduct(seller, "Glass vases");
  await pages.upload(seller, ["photos/odd-exif.jpg", "photos/DSCN0010.jpg", "photos/Reconyx_HC500_Hyperfire.jpg", "photos/progressive.jpg"].map(corpus));
  const uploaded = await seller.getByTestId("gallery-item").evaluateAll((els) => els.map((e) => e.getAttribute("data-image-id")));

  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, "root@shop.example", "admin password 123");
  await admin.goto(`${server.url}/admin/review`);
  await hydrated(admin);
  const items = admin.getByTestId("review-item");
  await expect(items).toHaveCount(4);
  // The shortcuts are on the page for anyone to read.
  await expect(admin.getByRole("complementary", { name: "Keyboard shortcuts" })).toContainText("approve");
  await expect(admin.getByTestId("review-next")).toBeDisabled();

  // Bulk: select the first two and approve them in one action.
  await items.nth(0).getByTestId("review-select").check();
  await items.nth(1).getByTestId("review-select").check();
  await expect(admin.getByTestId("review-selected-count")).toHaveText("2 selected");
  await admin.screenshot({ path: `${shots}/review-bulk.png`, fullPage: true });
  await admin.getByTestId("review-approve-selected").click();
  await expect(admin.getByTestId("review-status")).toHaveText("Decided 2 images.");
  await expect(items).toHaveCount(2);

  // Keyboard only: j moves to the next upload, x selects it, a approves the selection.
  await admin.locator("body").click({ position: { x: 5, y: 300 } });
  await admin.keyboard.press("j");
  await expect(items.nth(1)).toHaveClass(/current/);
  await expect(items.nth(1)).toBeFocused();
  await admin.keyboard.press("x");
  await expect(items.nth(1).getByTestId("review-select")).toBeChecked();
  await admin.keyboard.press("x");
  await expect(items.nth(1).getByTestId("review-select")).not.toBeChecked();
  // Ticked with Space, the box keeps focus: the letters still work there (a checkbox once
  // counted as a text field, and swallowed them).
  await items.nth(1).getByTestId("review-select").focus();
  await admin.keyboard.press("Space");
  await expect(items.nth(1).getByTestId("review-select")).toBeChecked();
  await expect(items.nth(1).getByTestId("review-select")).toBeFocused();
  // The letters belong to the queue: on a link of the site's header, "a" approves nothing.
  await admin.getByRole("banner").getByRole("link").first().focus();
  await admin.keyboard.press("a");
  await expect(admin.getByTestId("review-status")).toHaveText("Decided 2 images.");
  await expect(items).toHaveCount(2);
  await items.nth(1).getByTestId("review-select").focus();
  await admin.keyboard.press("a");
  await expect(items).toHaveCount(1);
  // The decided row is gone, and focus is back on the queue, not lost to the page: the next
  // letters work at once.
  await expect(items.first()).toBeFocused();
  // r writes a reason for the current upload; Enter rejects it.
  const rejectedId = await items.first().getAttribute("data-image-id");
  await admin.keyboard.press("r");
  await expect(items.first().getByTestId("review-reason")).toBeFocused();
  await admin.keyboard.type("Background is cluttered");
  await admin.keyboard.press("Enter");
  await expect(admin.getByText("Nothing to review.")).toBeVisible();

  // The seller sees three approved and one rejected with its reason.
  await seller.goto(productUrl);
  await pages.hydrated(seller);
  for (const id of uploaded) {
    const card = seller.locator(`[data-testid=gallery-item][data-image-id="${id}"]`);
    await expect(card).toHaveAttribute("data-status", id === rejectedId ? "rejected" : "approved");
  }
  await expect(seller.locator(`[data-testid=gallery-item][data-image-id="${rejectedId}"]`)).toContainText("Background is cluttered");
  // The image's history shows who decided, on the admin's side too.
  await admin.goto(`${server.url}${new URL(productUrl).pathname}/history?image=${rejectedId}`);
  await expect(admin.getByTestId("history-entry").first()).toContainText("root@shop.example rejected");
  await expect(admin.getByTestId("history-entry").first()).toContainText("Background is cluttered");
});
