// Who gets in, seen from the browser: a seller signed in on a laptop and a phone signs out
// everywhere from the account page (by keyboard), and both are signed out; someone guessing a
// seller's password is told to wait, in a sentence, and the right password waits too, except
// in a browser the seller signed in with before.
import { expect, test } from "./support/test";
import { hydrated, PASSWORD, shots, signIn, signUp } from "./support/pages";
import { VitrineServer } from "./support/server";

let server: VitrineServer;
test.beforeAll(async () => {
  server = await VitrineServer.start();
});
test.afterAll(async () => {
  await server?.dispose();
});

test("sign out everywhere ends the sessions of every device, from the account page", async ({ page, browser }) => {
  await signUp(page, server.url, "nina@shop.example");
  const phone = await browser.newContext();
  const phonePage = await phone.newPage();
  await signIn(phonePage, server.url, "nina@shop.example", PASSWORD);

  await page.getByTestId("account-link").click();
  await page.waitForURL(`${server.url}/account`);
  await hydrated(page);
  await expect(page.getByTestId("account-email")).toHaveText("nina@shop.example");
  await expect(page.getByTestId("account-sessions")).toHaveText("Signed in on 2 devices or browsers, this one included.");
  await page.screenshot({ path: `${shots}/account.png`, fullPage: true });

  await page.getByTestId("sign-out-everywhere").focus();
  await page.keyboard.press("Enter");
  await page.waitForURL(`${server.url}/signin`);

  // The phone's next page load finds no session, and so do its server functions.
  await phonePage.goto(`${server.url}/products`);
  await phonePage.waitForURL(/\/signin\?next=%2Fproducts$/);
  const answer = await phonePage.request.post(`${server.url}/api/list_products`, {
    headers: { origin: server.url, "content-type": "application/x-www-form-urlencoded" },
    data: "",
  });
  expect(answer.status()).toBe(401);
  await phone.close();

  // Signed out, the account page sends a visitor to sign in.
  await page.goto(`${server.url}/account`);
  await page.waitForURL(/\/signin\?next=%2Faccount$/);
});

test("guessing a password is told to wait, the right password waits too, and the owner's own browser still gets in", async ({ page, browser, pageErrors }) => {
  // Chromium logs each refused sign-in; these refusals are the point.
  pageErrors.allow(/\/api\/sign_in: .*status of (400|429)/);
  await signUp(page, server.url, "omar@shop.example");
  const ownBrowser = (await page.context().cookies()).filter((c) => c.name.includes("vitrine_device"));
  expect(ownBrowser).toHaveLength(1);
  expect(ownBrowser[0]).toMatchObject({ httpOnly: true, sameSite: "Strict" });
  await page.context().clearCookies();
  await page.goto(`${server.url}/signin`);
  await hydrated(page);
  const error = page.locator(".form-error");
  for (let i = 0; i < 10; i++) {
    await page.getByTestId("signin-email").fill("omar@shop.example");
    await page.getByTestId("signin-password").fill(`guess number ${i}`);
    const answered = page.waitForResponse("**/api/sign_in");
    await page.getByTestId("signin-submit").click();
    expect((await answered).status()).toBe(400);
    await expect(error).toHaveText("That e-mail and password do not match an account.");
  }
  await page.getByTestId("signin-password").fill(PASSWORD);
  const answered = page.waitForResponse("**/api/sign_in");
  await page.getByTestId("signin-submit").click();
  const answer = await answered;
  expect(answer.status()).toBe(429);
  expect(Number(answer.headers()["retry-after"])).toBeGreaterThan(0);
  await expect(error).toHaveText(
    /^Too many attempts to sign in to this account from new browsers\. A browser you have signed in with before still can\. Wait \d+ minutes and try again\.$/,
  );
  await page.screenshot({ path: `${shots}/sign-in-too-many.png`, fullPage: true });
  expect(page.url()).toBe(`${server.url}/signin`);
  expect((await page.context().cookies()).filter((c) => c.name.includes("vitrine_session"))).toEqual([]);

  // Omar's own browser, which signed up, proves it with its cookie and is not locked out.
  const own = await browser.newContext();
  await own.addCookies(ownBrowser);
  const ownPage = await own.newPage();
  await signIn(ownPage, server.url, "omar@shop.example", PASSWORD);
  await expect(ownPage.getByTestId("signout")).toBeVisible();
  await own.close();
});
