// A batch survives the page: reloaded while photos are being shrunk, mid-transfer, between
// transfer and completion (with a registration whose answer was lost), or with the tab gone and
// two others opened. Each photo is shrunk once, each variant reaches the store once, each image
// is registered once; what the browser can no longer read is listed with a way out; and the
// journal is empty at the end. Requests to the store and the app are held (never answered) to
// stop the batch at the point under test, then the page is reloaded.
import { Page, Route } from "@playwright/test";
import { expect, test } from "./support/test";
import { SMALL_PHOTOS } from "./support/jpeg";
import { allDone, BIGGER, nothingLostNothingLeft, toTheStore } from "./support/batch";
import { dropBytes, journal } from "./support/journal";
import { createProduct, hydrated, shots, signUp } from "./support/pages";
import { VitrineServer } from "./support/server";

let server: VitrineServer;
test.beforeAll(async () => {
  server = await VitrineServer.start();
});
test.afterAll(async () => {
  await server?.dispose();
});

/** Records every state each upload row goes through, as `name:state`, from page start. */
const STATE_LOG = () => {
  const seen: string[] = [];
  (window as unknown as { __states: string[] }).__states = seen;
  const note = (el: Element) => {
    if (el.getAttribute("data-testid") !== "upload-item") return;
    seen.push(`${el.querySelector(".upload-name")?.textContent}:${el.getAttribute("data-state")}`);
  };
  new MutationObserver((changes) => {
    for (const change of changes) {
      if (change.type === "attributes") note(change.target as Element);
      for (const node of change.addedNodes) {
        if (node instanceof Element) [node, ...node.querySelectorAll("[data-testid=upload-item]")].forEach(note);
      }
    }
  }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-state"] });
};
const states = (page: Page) => page.evaluate(() => (window as unknown as { __states: string[] }).__states);
const baseName = (p: string) => p.split("/").pop()!;

/** A route handler that never answers: the request hangs until the page goes. */
const hold = (_route: Route) => {};

type Rule = (route: Route) => unknown;

/** Steers the page's writes to the store, begins and completes by `rules` until `reload()`,
 * then lets them all through and counts them. (Unrouting instead would release the held
 * requests before the reload.) */
async function steer(page: Page, rules: { store?: Rule; begin?: Rule; complete?: Rule }) {
  const after = { writes: 0, begins: 0, completes: 0 };
  let reloaded = false;
  const pass = (route: Route) => route.continue();
  await page.route("**/vitrine-media**", (route) => {
    if (!toTheStore(route)) return route.continue();
    if (!reloaded) return (rules.store ?? pass)(route);
    after.writes++;
    return route.continue();
  });
  await page.route("**/api/begin_upload", (route) => (reloaded ? (after.begins++, route.continue()) : (rules.begin ?? pass)(route)));
  await page.route("**/api/complete_upload", (route) => (reloaded ? (after.completes++, route.continue()) : (rules.complete ?? pass)(route)));
  return {
    after,
    // Counting starts when the new document commits: a request the old page makes while the
    // reload is under way belongs to the old page (its answer is lost with it).
    reload: async () => {
      const committed = page.waitForEvent("framenavigated").then(() => {
        reloaded = true;
      });
      await page.reload();
      await committed;
      await hydrated(page);
    },
  };
}

/** Signs a new seller up, opens a new product; the number of objects in the store now. */
async function newShop(page: Page, email: string, product: string) {
  await signUp(page, server.url, email);
  await createProduct(page, product);
  return server.storedObjects().length;
}

async function journalIsEmpty(page: Page) {
  await expect.poll(async () => (await journal(page)).length).toBe(0);
}

test("reloaded while photos are being shrunk: none is shrunk twice, each variant is sent once", async ({ page }) => {
  test.setTimeout(240_000);
  await page.addInitScript(STATE_LOG);
  const before = await newShop(page, "hal@shop.example", "Oak stools");
  // Nothing reaches the store before the reload.
  const { after: seen, reload } = await steer(page, { store: hold });

  await page.getByTestId("upload-input").setInputFiles(BIGGER);
  await expect.poll(async () => (await journal(page)).filter((r) => r.variants === 3).length, { timeout: 60_000 }).toBeGreaterThan(0);
  const atReload = await journal(page);
  expect(atReload).toHaveLength(BIGGER.length);
  const shrunk = atReload.filter((r) => r.variants === 3);
  const withTicket = atReload.filter((r) => r.ticket).length;
  expect(shrunk.length).toBeLessThan(BIGGER.length);
  // Once shrunk, the journal keeps the variants and no longer the original: a resumed upload
  // can never send the full-size photo.
  for (const r of atReload) expect(r.hasFile).toBe(r.variants === 0);

  await reload();
  await expect(page.getByTestId("upload-resumed")).toHaveText(`${BIGGER.length} photos from before the page was reloaded go on where they stopped.`);
  await page.screenshot({ path: `${shots}/upload-resumed.png`, fullPage: true });
  await allDone(page, BIGGER.length);
  const log = await states(page);
  for (const r of shrunk) expect(log).not.toContain(`${r.name}:processing`);
  expect(log.filter((s) => s.endsWith(":processing")).length).toBeLessThanOrEqual(BIGGER.length - shrunk.length);
  expect(seen.writes).toBe(3 * BIGGER.length);
  expect(seen.begins).toBeLessThanOrEqual(BIGGER.length - withTicket);
  expect(seen.completes).toBe(BIGGER.length);
  await journalIsEmpty(page);
  await nothingLostNothingLeft(page, server, BIGGER.length, before);
});

test("reloaded mid-transfer: variants already stored are not sent again, and no new upload is signed", async ({ page }) => {
  test.setTimeout(180_000);
  await page.addInitScript(STATE_LOG);
  const before = await newShop(page, "ida@shop.example", "Wool throws");
  // Four variants reach the store, the rest hang; no photo is registered before the reload.
  let through = 0;
  const { after: seen, reload } = await steer(page, {
    store: (route) => (through++ < 4 ? route.continue() : hold(route)),
    complete: hold,
  });

  await page.getByTestId("upload-input").setInputFiles(SMALL_PHOTOS);
  await expect
    .poll(async () => {
      const j = await journal(page);
      return j.length === SMALL_PHOTOS.length && j.every((r) => r.ticket) ? j.reduce((n, r) => n + r.sent, 0) : -1;
    }, { timeout: 60_000 })
    .toBe(4);

  await reload();
  await allDone(page, SMALL_PHOTOS.length);
  expect(seen.writes).toBe(3 * SMALL_PHOTOS.length - 4);
  expect(seen.begins).toBe(0);
  expect(seen.completes).toBe(SMALL_PHOTOS.length);
  expect((await states(page)).filter((s) => s.endsWith(":processing"))).toEqual([]);
  await journalIsEmpty(page);
  await nothingLostNothingLeft(page, server, SMALL_PHOTOS.length, before);
});

test("reloaded between transfer and completion, one registration's answer lost: each image is registered once", async ({ page }) => {
  test.setTimeout(180_000);
  const before = await newShop(page, "jon@shop.example", "Brass hooks");
  // The first completion reaches the server, which registers the image; its answer never
  // comes back. The others never leave the page.
  let registered = false;
  let first = true;
  const { after: seen, reload } = await steer(page, {
    complete: async (route) => {
      if (!first) return;
      first = false;
      await route.fetch();
      registered = true;
    },
  });

  await page.getByTestId("upload-input").setInputFiles(SMALL_PHOTOS);
  await expect(page.locator("[data-testid=upload-item][data-state=verifying]")).toHaveCount(SMALL_PHOTOS.length, { timeout: 60_000 });
  await expect.poll(() => registered).toBe(true);

  await reload();
  await allDone(page, SMALL_PHOTOS.length);
  expect(seen.writes).toBe(0);
  expect(seen.begins).toBe(0);
  expect(seen.completes).toBe(SMALL_PHOTOS.length);
  await journalIsEmpty(page);
  await nothingLostNothingLeft(page, server, SMALL_PHOTOS.length, before);
});

test("photos the browser no longer lets the page read are listed after a reload, with Choose again and Dismiss", async ({ page }) => {
  test.setTimeout(180_000);
  const before = await newShop(page, "kim@shop.example", "Cane chairs");
  const { reload } = await steer(page, { begin: hold });
  await page.getByTestId("upload-input").setInputFiles(SMALL_PHOTOS);
  await expect.poll(async () => (await journal(page)).filter((r) => r.variants === 3).length, { timeout: 60_000 }).toBe(SMALL_PHOTOS.length);
  // The browser kept neither the file nor the variants of two photos.
  const [lost, alsoLost] = (await journal(page)).filter((r) => r.name !== baseName(SMALL_PHOTOS[2]));
  await dropBytes(page, lost.id);
  await dropBytes(page, alsoLost.id);

  await reload();
  const unreadable = page.locator("[data-testid=upload-item][data-state=unreadable]");
  await expect(unreadable).toHaveCount(2);
  await expect(unreadable.first().getByTestId("upload-error")).toHaveText(/cannot be resumed: the browser no longer lets the page read it\. Choose it again, or dismiss it\./);
  await expect(page.locator("[data-testid=upload-item][data-state=done]")).toHaveCount(1, { timeout: 60_000 });
  await expect(page.getByTestId("upload-summary")).toHaveText("1 of 3 uploaded, 2 to choose again");
  await page.screenshot({ path: `${shots}/upload-unreadable.png`, fullPage: true });

  // Dismiss, from the keyboard: the row and its record go.
  const dismissed = unreadable.filter({ hasText: alsoLost.name });
  await dismissed.getByTestId("upload-dismiss").focus();
  await page.keyboard.press("Enter");
  await expect(unreadable).toHaveCount(1);
  await expect.poll(async () => (await journal(page)).map((r) => r.name)).toEqual([lost.name]);

  // Choose again: the picker opens, and the photo chosen again replaces its row.
  const chooser = page.waitForEvent("filechooser");
  await unreadable.getByTestId("upload-choose-again").click();
  await (await chooser).setFiles(SMALL_PHOTOS.find((p) => baseName(p) === lost.name)!);
  await expect(unreadable).toHaveCount(0);
  await allDone(page);
  await journalIsEmpty(page);
  await nothingLostNothingLeft(page, server, 2, before);
});

test("the tab closed mid-batch and the product opened in two tabs: each photo is resumed by one of them", async ({ page }) => {
  test.setTimeout(180_000);
  await signUp(page, server.url, "lea@shop.example");
  const url = await createProduct(page, "Jute rugs");
  const before = server.storedObjects().length;
  await page.route("**/vitrine-media**", (route) => (toTheStore(route) ? hold(route) : route.continue()));
  await page.getByTestId("upload-input").setInputFiles(SMALL_PHOTOS);
  await expect.poll(async () => (await journal(page)).filter((r) => r.ticket).length, { timeout: 60_000 }).toBe(SMALL_PHOTOS.length);
  const context = page.context();
  await page.close();

  const tabs = await Promise.all([context.newPage(), context.newPage()]);
  let begins = 0;
  await context.route("**/api/begin_upload", (route) => (begins++, route.continue()));
  await Promise.all(tabs.map((tab) => tab.goto(url)));
  await Promise.all(tabs.map((tab) => hydrated(tab)));
  const rows = () => Promise.all(tabs.map((tab) => tab.getByTestId("upload-item").count()));
  await expect.poll(async () => (await rows()).reduce((a, b) => a + b, 0)).toBe(SMALL_PHOTOS.length);
  for (const tab of tabs) await allDone(tab);
  const names = (await Promise.all(tabs.map((tab) => tab.locator("[data-testid=upload-item] .upload-name").allTextContents()))).flat();
  expect(names.sort()).toEqual(SMALL_PHOTOS.map(baseName).sort());
  expect(begins).toBe(0);
  await journalIsEmpty(tabs[0]);
  // A tab's gallery shows what it uploaded itself; a fresh load shows what both did.
  await tabs[0].reload();
  await hydrated(tabs[0]);
  await nothingLostNothingLeft(tabs[0], server, SMALL_PHOTOS.length, before);
});
