// A second site tries to act with a signed-in seller's cookie: a page on another port of the
// same host (same-site, so SameSite=Lax cookies travel with its requests), as an attacker's
// page on a sibling subdomain would. It creates a product with fetch, and submits a top-level
// form that would sign the victim into the attacker's account. Both are refused, and nothing
// changed: no product, and the victim is still themself.
import * as http from "node:http";
import { AddressInfo } from "node:net";
import { expect, test } from "./support/test";
import { hydrated, PASSWORD, signUp } from "./support/pages";
import { VitrineServer } from "./support/server";

let server: VitrineServer;
let attacker: http.Server;
let attackerUrl: string;

/** The attacker's page, given the app's address. */
const page = (app: string) => `<!doctype html><html><body>
<h1>Win a prize</h1>
<form id="login" method="POST" action="${app}/api/sign_in">
  <input name="email" value="mallory@shop.example"><input name="password" value="${PASSWORD}">
</form>
<script>
  window.planted = fetch("${app}/api/create_product", {
    method: "POST", mode: "no-cors", credentials: "include",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "name=Planted+by+another+site",
  }).then(() => "sent", (e) => String(e));
</script>
</body></html>`;

test.beforeAll(async () => {
  server = await VitrineServer.start();
  attacker = http.createServer((req, res) => {
    if (req.url !== "/") return void res.writeHead(204).end();
    res.writeHead(200, { "content-type": "text/html" });
    res.end(page(server.url));
  });
  await new Promise<void>((resolve) => attacker.listen(0, "127.0.0.1", resolve));
  attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`;
});
test.afterAll(async () => {
  attacker?.close();
  await server?.dispose();
});

test("a page on another port cannot create a product or sign the seller into another account", async ({ page: victim, browser, pageErrors }) => {
  // The refusals, and the favicon a browser asks for when it shows a bare answer.
  pageErrors.allow(/403|Forbidden|favicon\.ico/);
  // The attacker has an account of their own.
  const mallory = await browser.newPage();
  await signUp(mallory, server.url, "mallory@shop.example");
  await mallory.close();

  await signUp(victim, server.url, "nia@shop.example");
  const refusals: number[] = [];
  victim.on("response", (r) => {
    if (r.url().startsWith(`${server.url}/api/`)) refusals.push(r.status());
  });

  await victim.goto(attackerUrl);
  expect(await victim.evaluate(() => (window as unknown as { planted: Promise<string> }).planted)).toBe("sent");
  await Promise.all([victim.waitForURL(`${server.url}/api/sign_in`), victim.locator("#login").evaluate((f: HTMLFormElement) => f.submit())]);
  await expect(victim.locator("body")).toContainText("came from another site");
  expect(refusals).toEqual([403, 403]);

  await victim.goto(`${server.url}/products`);
  await hydrated(victim);
  await expect(victim.locator(".who-email")).toHaveText("nia@shop.example");
  await expect(victim.getByTestId("product-link")).toHaveCount(0);
  // The seller's own page still works.
  await victim.getByTestId("product-name").fill("Real product");
  await victim.getByTestId("product-create").click();
  await expect(victim.getByTestId("product-link")).toHaveCount(1);
  await expect(victim.getByTestId("product-link")).toContainText("Real product");
});

test("markup injected into a page cannot run script, while the page's own scripts do", async ({ page, pageErrors }) => {
  // Chromium reports each blocked script, and the image that is not there.
  pageErrors.allow(/Content Security Policy|not-there/);
  await signUp(page, server.url, "ines@shop.example");
  await page.goto(`${server.url}/products`);
  await hydrated(page);

  const outcome = await page.evaluate(async () => {
    const blocked: string[] = [];
    document.addEventListener("securitypolicyviolation", (e) => blocked.push(e.effectiveDirective));
    const w = window as unknown as { injected?: string };
    // What an HTML injection would plant: an inline handler, a javascript: link, and a frame
    // whose inline script the parser meets (a frame from srcdoc inherits the page's policy).
    // A script the page's own code creates would run ('strict-dynamic' trusts the page's
    // scripts); markup alone can never start one.
    document.body.insertAdjacentHTML(
      "beforeend",
      `<img src="/not-there.png" onerror="window.injected='handler'">
       <a id="planted-link" href="javascript:window.injected='link'">win</a>
       <iframe srcdoc="<script>parent.injected='frame'</script>"></iframe>`,
    );
    (document.getElementById("planted-link") as HTMLAnchorElement).click();
    await new Promise((r) => setTimeout(r, 800));
    return { injected: w.injected ?? null, blocked: [...new Set(blocked)].sort() };
  });
  expect(outcome).toEqual({ injected: null, blocked: ["script-src-attr", "script-src-elem"] });

  // Hydration, the page's WebAssembly and its server calls all ran under the same policy.
  await page.getByTestId("product-name").fill("Still works");
  await page.getByTestId("product-create").click();
  await expect(page.getByTestId("product-link")).toContainText("Still works");
});
