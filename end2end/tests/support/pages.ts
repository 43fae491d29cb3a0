// Steps every spec takes through the real UI: wait for hydration, sign up or in, create a
// product, upload photos and wait until they are registered.
import { expect, Page } from "@playwright/test";
import * as fs from "node:fs";
import * as path from "node:path";

export const shots = path.resolve(__dirname, "../../.artifacts/screens");
fs.mkdirSync(shots, { recursive: true });

export const PASSWORD = "correct horse battery";

/** A server function's answer when the server is busy: for `route.fulfill`, to fail a call. */
export const BUSY = { status: 503, contentType: "application/json", body: JSON.stringify({ Unavailable: "The server is busy. Try again." }) };

export async function hydrated(page: Page) {
  await expect(page.locator(".app")).toHaveAttribute("data-hydrated", "true");
}

export async function signUp(page: Page, base: string, email: string) {
  await page.goto(`${base}/signup`);
  await hydrated(page);
  await page.getByTestId("signup-email").fill(email);
  await page.getByTestId("signup-password").fill(PASSWORD);
  await page.getByTestId("signup-submit").click();
  await page.waitForURL(`${base}/products`);
  await hydrated(page);
}

export async function signIn(page: Page, base: string, email: string, password: string) {
  await page.goto(`${base}/signin`);
  await hydrated(page);
  await page.getByTestId("signin-email").fill(email);
  await page.getByTestId("signin-password").fill(password);
  await page.getByTestId("signin-submit").click();
  await page.waitForURL(`${base}/products`);
}

/// Creates a product from the products page and opens it; returns its URL.
export async function createProduct(page: Page, name: string): Promise<string> {
  await page.getByTestId("product-name").fill(name);
  await page.getByTestId("product-create").click();
  const link = page.getByTestId("product-link").filter({ hasText: name });
  await expect(link).toBeVisible();
  await link.click();
  await page.waitForURL(/\/products\/\d+$/);
  await hydrated(page);
  return page.url();
}

/// Picks `files` in the uploader and waits until each is in the gallery.
export async function upload(page: Page, files: string[]) {
  const before = await page.getByTestId("gallery-item").count();
  await page.getByTestId("upload-input").setInputFiles(files);
  for (const item of await page.getByTestId("upload-item").all()) {
    await expect(item).toHaveAttribute("data-state", "done", { timeout: 120_000 });
  }
  await expect(page.getByTestId("gallery-item")).toHaveCount(before + files.length);
}
