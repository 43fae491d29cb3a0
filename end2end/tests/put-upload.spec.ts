// Stores without POST Object (Cloudflare R2): the browser uploads each variant with a presigned
// PUT whose signature pins type and size; the rest of the chain is the same.
import { expect, test } from "./support/test";
import { corpus } from "./support/jpeg";
import { createProduct, signUp, upload } from "./support/pages";
import { VitrineServer } from "./support/server";

let server: VitrineServer;
test.beforeAll(async () => {
  server = await VitrineServer.start({ VITRINE_UPLOAD_METHOD: "put" });
});
test.afterAll(async () => {
  await server?.dispose();
});

test("with VITRINE_UPLOAD_METHOD=put photos go up as presigned PUTs, straight to the store", async ({ page }) => {
  const puts: string[] = [];
  page.on("request", (r) => {
    if (r.url().includes("/vitrine-media/")) puts.push(`${r.method()} ${new URL(r.url()).pathname}`);
  });
  await signUp(page, server.url, "max@shop.example");
  await createProduct(page, "Clay planters");
  await upload(page, [corpus("photos/DSCN0010.jpg"), corpus("photos/jolla.jpg")]);

  expect(puts.filter((p) => p.startsWith("PUT"))).toHaveLength(6);
  expect(puts.some((p) => p.startsWith("POST"))).toBe(false);
  expect(server.storedObjects()).toHaveLength(6);
  // The grid shows them from the store.
  const thumb = page.getByTestId("gallery-item").first().locator("img");
  await expect.poll(() => thumb.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0);
});
