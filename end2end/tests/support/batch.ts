// What the fault and resume specs share: bigger photos (slow enough to interrupt), which
// requests write to the bucket, and the closing check that nothing was lost or left behind.
import { Page, Route } from "@playwright/test";
import { expect } from "./test";
import { corpus } from "./jpeg";
import { hydrated } from "./pages";
import { VitrineServer } from "./server";

export const BIGGER = ["photos/jolla.jpg", "photos/progressive.jpg", "photos/canon_hdr_NO.jpg", "photos/cmyk.jpg", "photos/phone-24mp-orient6-gps.jpg", "photos/corrupt-exif-10mp.jpg"].map(corpus);

/** A request that sends bytes to the bucket (a POST form or a PUT), not one that reads. */
export const toTheStore = (route: Route) => {
  const request = route.request();
  return new URL(request.url()).pathname.startsWith("/vitrine-media") && request.method() !== "GET";
};

/** Waits until every upload row is done; with `rows`, first until that many rows are shown
 * (rows resumed after a reload appear a moment after hydration, and none would pass at once). */
export async function allDone(page: Page, rows?: number) {
  if (rows !== undefined) await expect(page.getByTestId("upload-item")).toHaveCount(rows);
  for (const item of await page.getByTestId("upload-item").all()) {
    await expect(item).toHaveAttribute("data-state", "done", { timeout: 120_000 });
  }
}

/** Every photo in the gallery exactly once, after a reload too; the store holds exactly their
 * three files each, as registered; gc finds nothing to remove. */
export async function nothingLostNothingLeft(page: Page, app: VitrineServer, photos: number, objectsBefore: number, store = app) {
  await expect(page.getByTestId("gallery-item")).toHaveCount(photos);
  await page.reload();
  await hydrated(page);
  await expect(page.getByTestId("gallery-item")).toHaveCount(photos);
  expect(store.storedObjects()).toHaveLength(objectsBefore + 3 * photos);
  expect(app.cli(["check"])).toContain("all in the store as registered");
  const gc = app.cli(["gc", "--dry-run", "--grace-hours", "0"]);
  expect(gc).toContain("objects of deleted images: 0 would remove");
  expect(gc).toContain("unreferenced objects older than 0 h: 0 would remove");
}
