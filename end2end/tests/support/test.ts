// Every spec imports `test` and `expect` from here, not from @playwright/test: this `test` watches
// every page of every browser context a test opens (its own `page`, and contexts made with
// `browser.newContext()`) and fails the test on any page error: an uncaught exception, a Rust
// panic in WebAssembly (a failed hydration is one), or anything written with console.error
// (Chromium also logs each failed request there). A page can look right, server-rendered,
// while its script is dead; this is how the suite notices.
//
// A test that expects an error (a request it wants refused, a 404 it asks for) says so with
// `pageErrors.allow(/pattern/)`, for itself only.
import { test as base, expect, Browser, BrowserContext } from "@playwright/test";

export { expect };

export type PageErrors = {
  /** Lets messages matching `pattern` pass, for the rest of this test only. */
  allow(pattern: RegExp): void;
};

export const test = base.extend<{ pageErrors: PageErrors }>({
  pageErrors: [
    async ({ browser, context }, use) => {
      const seen: string[] = [];
      const allowed: RegExp[] = [];
      const watched = new WeakSet<BrowserContext>();
      const watch = (ctx: BrowserContext) => {
        if (watched.has(ctx)) return;
        watched.add(ctx);
        ctx.on("console", (msg) => {
          if (msg.type() !== "error") return;
          const where = msg.location();
          seen.push(`console.error at ${where.url || msg.page()?.url() || "?"}: ${msg.text()}`);
        });
        ctx.on("weberror", (err) => {
          const e = err.error();
          seen.push(`uncaught on ${err.page()?.url() ?? "?"}: ${e.stack ?? e.message}`);
        });
      };
      watch(context);
      const restore = watchNewContexts(browser, watch);
      try {
        await use({ allow: (pattern) => allowed.push(pattern) });
      } finally {
        restore();
      }
      const unexpected = seen.filter((m) => !allowed.some((p) => p.test(m)));
      if (unexpected.length > 0) {
        throw new Error(
          `${unexpected.length} page error(s) during this test (allow an expected one with pageErrors.allow):\n` +
            unexpected.map((m) => `  - ${m}`).join("\n"),
        );
      }
    },
    { auto: true },
  ],
});

/// Watches each context the test makes itself (`browser.newPage` makes its context through
/// `newContext` too); returns the undo.
function watchNewContexts(browser: Browser, watch: (ctx: BrowserContext) => void): () => void {
  const newContext = browser.newContext;
  browser.newContext = async function (this: Browser, ...args) {
    const ctx = await newContext.apply(this, args);
    watch(ctx);
    return ctx;
  };
  return () => {
    browser.newContext = newContext;
  };
}
