// First-load benchmark: what a product page costs a seller's phone, in Chromium, against the
// real `vitrine` binary. Two arms through the same local proxy, alternating, in one run:
//   after:  the server's answers as they are (precompressed, content-hashed names kept a year);
//   before: the same files as the server sent them before issue 17: uncompressed
//           (Accept-Encoding: identity upstream) and without Cache-Control.
// Each round measures a cold visit and a second visit: bytes on the wire (Chromium's network
// events, pictures excluded) and time to interactive (navigation to `data-hydrated="true"`)
// with the network throttled to DevTools' "Slow 4G" through the DevTools protocol.
// Usage (from end2end/): node bench/first-load.mjs --bin ../target/release/vitrine [--rounds N]
// Prints a markdown table on stdout, progress on stderr.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from '@playwright/test';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { values: args } = parseArgs({
  options: {
    bin: { type: 'string', default: path.join(repo, 'target/release/vitrine') },
    rounds: { type: 'string', default: '5' },
  },
});
const rounds = Number(args.rounds);
const bin = path.resolve(args.bin);
const progress = (text) => process.stderr.write(`${text}\n`);

// DevTools' "Slow 4G" preset: 562.5 ms latency, 1.6 Mbit/s down and 750 kbit/s up, each at 90 %.
const SLOW_4G = {
  offline: false,
  latency: 562.5,
  downloadThroughput: ((1.6 * 1024 * 1024) / 8) * 0.9,
  uploadThroughput: ((750 * 1024) / 8) * 0.9,
};
const EMAIL = 'bench@shop.example';
const PASSWORD = 'bench password 123';

const freePort = () =>
  new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });

async function startVitrine() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vitrine-first-load-'));
  const port = await freePort();
  const env = { ...process.env, VITRINE_DATA_DIR: dataDir, LEPTOS_SITE_ADDR: `127.0.0.1:${port}`, RUST_LOG: 'warn' };
  execFileSync(bin, ['user', 'add', EMAIL, '--password-stdin'], { cwd: repo, env, input: `${PASSWORD}\n` });
  const child = spawn(bin, ['serve'], { cwd: repo, env, stdio: 'ignore' });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) return { child, base, dataDir };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${bin} did not answer /healthz`);
}

/// A proxy to `upstream` on its own port; `before` makes it answer as the server did before.
async function proxy(upstream, before) {
  const target = new URL(upstream);
  const server = http.createServer((req, res) => {
    // The browser's Host is kept: pages check that state-changing requests come from the host
    // they name, and sign picture URLs for it.
    const headers = { ...req.headers };
    if (before) headers['accept-encoding'] = 'identity';
    const up = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers },
      (upRes) => {
        const out = { ...upRes.headers };
        if (before) delete out['cache-control'];
        res.writeHead(upRes.statusCode, out);
        upRes.pipe(res);
      },
    );
    up.on('error', (e) => res.destroy(e));
    req.pipe(up);
  });
  const port = await freePort();
  await new Promise((r) => server.listen(port, '127.0.0.1', r));
  return { server, base: `http://127.0.0.1:${port}` };
}

/// Signs in and creates the product the rounds visit; returns its path.
async function setUp(browser, base) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${base}/signin`);
  await page.locator('.app[data-hydrated="true"]').waitFor();
  await page.getByTestId('signin-email').fill(EMAIL);
  await page.getByTestId('signin-password').fill(PASSWORD);
  await page.getByTestId('signin-submit').click();
  await page.waitForURL(`${base}/products`);
  await page.locator('.app[data-hydrated="true"]').waitFor();
  await page.getByTestId('product-name').fill('Oak boards');
  await page.getByTestId('product-create').click();
  await page.getByTestId('product-link').first().click();
  await page.waitForURL(/\/products\/\d+$/);
  const productPath = new URL(page.url()).pathname;
  const state = await context.storageState();
  await context.close();
  return { productPath, state };
}

/// One visit of `url` in `page`, throttled: bytes on the wire (pictures excluded) and time to
/// interactive.
async function visit(page, url) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', SLOW_4G);
  const types = new Map();
  let bytes = 0;
  cdp.on('Network.responseReceived', (e) => types.set(e.requestId, e.type));
  cdp.on('Network.loadingFinished', (e) => {
    if (types.get(e.requestId) !== 'Image') bytes += e.encodedDataLength;
  });
  await page.goto(url, { waitUntil: 'commit' });
  await page.waitForFunction(() => document.querySelector('.app')?.getAttribute('data-hydrated') === 'true', null, {
    polling: 'raf',
    timeout: 120_000,
  });
  const tti = await page.evaluate(() => performance.now());
  await page.waitForLoadState('networkidle');
  await cdp.detach();
  return { bytes, tti };
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0], median: s[Math.floor(s.length / 2)], max: s[s.length - 1] };
};

async function main() {
  const vitrine = await startVitrine();
  const arms = { before: await proxy(vitrine.base, true), after: await proxy(vitrine.base, false) };
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking'],
  });
  try {
    const { productPath, state } = await setUp(browser, vitrine.base);
    const results = { before: [], after: [] };
    for (let round = 1; round <= rounds; round++) {
      for (const arm of round % 2 ? ['before', 'after'] : ['after', 'before']) {
        // The session cookie belongs to the host (ports share cookies), so the proxies get it too.
        const context = await browser.newContext({ storageState: state });
        const url = `${arms[arm].base}${productPath}`;
        const cold = await visit(await context.newPage(), url);
        const warm = await visit(await context.newPage(), url);
        await context.close();
        results[arm].push({ cold, warm });
        progress(
          `round ${round} ${arm}: cold ${(cold.bytes / 1024).toFixed(1)} KiB ${cold.tti.toFixed(0)} ms, ` +
            `second ${(warm.bytes / 1024).toFixed(1)} KiB ${warm.tti.toFixed(0)} ms`,
        );
      }
    }
    const kib = (b) => (b / 1024).toFixed(1);
    const row = (label, pick, fmt) => {
      const b = stats(results.before.map(pick));
      const a = stats(results.after.map(pick));
      return `| ${label} | ${fmt(b.min)} / ${fmt(b.median)} / ${fmt(b.max)} | ${fmt(a.min)} / ${fmt(a.median)} / ${fmt(a.max)} | ${(a.median / b.median).toFixed(2)} |`;
    };
    console.log(`\nFirst load of ${productPath}, ${rounds} rounds, Slow 4G (${bin})\n`);
    console.log('| measure | before (min / median / max) | after (min / median / max) | after / before |');
    console.log('|---|---|---|---|');
    console.log(row('cold visit, KiB on the wire', (r) => r.cold.bytes, kib));
    console.log(row('cold visit, ms to interactive', (r) => r.cold.tti, (x) => x.toFixed(0)));
    console.log(row('second visit, KiB on the wire', (r) => r.warm.bytes, kib));
    console.log(row('second visit, ms to interactive', (r) => r.warm.tti, (x) => x.toFixed(0)));
  } finally {
    await browser.close();
    for (const arm of Object.values(arms)) arm.server.close();
    vitrine.child.kill('SIGTERM');
    fs.rmSync(vitrine.dataDir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
