// Browser benchmark: vitrine's WebAssembly pipeline vs browser-image-compression vs the browser's
// own canvas, making a 2048 px display JPEG from each photo, in one headless Chromium run.
// Usage (from end2end/): node bench/browser.mjs [--out DIR] [--runs N] [--warmup N]
//                                               [--batch N] [--photos a.jpg,b.png]
// Env: CORPUS (default ../shared/corpus from the repo root; photos in CORPUS/photos),
//      SSIM_BIN (default target/release/examples/ssim), CHROMIUM_PATH (default /usr/bin/chromium).
// Prints a markdown table on stdout (progress on stderr); writes the outputs and results.json.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from '@playwright/test';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const end2endDir = path.dirname(benchDir);
const repo = path.dirname(end2endDir);
const photosDir = path.join(path.resolve(repo, process.env.CORPUS ?? '../shared/corpus'), 'photos');
const workerDir = path.join(repo, 'public/worker');
const bicDir = path.join(end2endDir, 'node_modules/browser-image-compression/dist');
const ssimBin = process.env.SSIM_BIN ?? path.join(repo, 'target/release/examples/ssim');
const SSIM_HINT = 'build it with: cargo build --release -p pipeline --example ssim';

const DEFAULT_PHOTOS = ['jolla.jpg', 'corrupt-exif-10mp.jpg', 'phone-24mp-orient6-gps.jpg', 'cutout-alpha.png'];
const METHODS = ['vitrine', 'bic', 'native'];

const { values: args } = parseArgs({
  options: {
    out: { type: 'string', default: path.join(repo, 'target/bench-browser') },
    runs: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '1' },
    batch: { type: 'string', default: '10' },
    photos: { type: 'string', default: DEFAULT_PHOTOS.join(',') },
  },
});
const photos = args.photos.split(',').filter(Boolean);
const outDir = path.resolve(args.out);
// The whole run takes a few minutes; this only stops a hung browser.
const DEADLINE_MS = 30 * 60_000;

const progress = (text) => process.stderr.write(`${text}\n`);

function preflight() {
  const missing = [
    ...['worker.js', 'vitrine_worker.js', 'vitrine_worker_bg.wasm'].map((f) => path.join(workerDir, f)),
    path.join(bicDir, 'browser-image-compression.js'),
    ...photos.map((p) => path.join(photosDir, p)),
  ].filter((f) => !fs.existsSync(f));
  if (missing.length) {
    throw new Error(
      `missing: ${missing.join(', ')}\n(worker: scripts/build-worker.sh; bic: npm ci in end2end; photos: set CORPUS)`,
    );
  }
}

// --- static server -----------------------------------------------------------------------------

const ROUTES = [
  ['/bench/', benchDir],
  ['/worker/', workerDir],
  ['/bic/', bicDir],
  ['/photos/', photosDir],
];
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.wasm': 'application/wasm', // instantiateStreaming insists on it
  '.map': 'application/json',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
};

function resolveUrl(pathname) {
  if (pathname === '/') return path.join(benchDir, 'index.html');
  for (const [prefix, dir] of ROUTES) {
    if (!pathname.startsWith(prefix)) continue;
    const file = path.resolve(dir, `.${pathname.slice(prefix.length - 1)}`);
    return file.startsWith(dir + path.sep) ? file : null;
  }
  return null;
}

function startServer() {
  const server = http.createServer((req, res) => {
    let file = null;
    try {
      file = resolveUrl(decodeURIComponent(new URL(req.url, 'http://localhost').pathname));
    } catch {}
    if (!file) return res.writeHead(404).end();
    fs.readFile(file, (err, body) => {
      if (err) return res.writeHead(404).end();
      res.writeHead(200, {
        'content-type': TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
        'content-length': body.length,
        // bic re-imports its bundle in a new worker for every call; a deployed site would have
        // it in the HTTP cache, so let Chromium cache it here too.
        'cache-control': 'max-age=3600',
      });
      res.end(body);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

// --- browser -----------------------------------------------------------------------------------

async function runInBrowser(base) {
  // Same launch as playwright.config.ts.
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  try {
    const page = await browser.newPage();
    page.on('console', (m) => progress(`  ${m.type() === 'log' ? '' : `${m.type()}: `}${m.text()}`));
    page.on('pageerror', (e) => progress(`  page error: ${e.message}`));
    await page.goto(`${base}/`);
    await page.waitForFunction(() => typeof window.runBenchmark === 'function', null, { timeout: 30_000 });
    const bigPhoto = photos.find((p) => p.includes('24mp')) ?? null;
    const config = {
      photos: photos.map((name) => ({ name, url: `/photos/${encodeURIComponent(name)}` })),
      bigPhoto,
      warmup: Number(args.warmup),
      runs: Number(args.runs),
      batchSize: Number(args.batch),
      maxSide: 2048,
      quality: 0.82,
    };
    let timer;
    const deadline = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error('benchmark timed out')), DEADLINE_MS);
    });
    try {
      const results = await Promise.race([page.evaluate((c) => window.runBenchmark(c), config), deadline]);
      return { ...results, config, chromium: browser.version() };
    } finally {
      clearTimeout(timer);
    }
  } finally {
    await browser.close();
  }
}

// --- SSIM (outside the browser, once it is closed) ---------------------------------------------

function ssim(original, output) {
  try {
    const out = execFileSync(ssimBin, [original, output], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const value = Number.parseFloat(out.trim());
    if (Number.isFinite(value)) return { value };
    return { error: `unexpected output: ${out.trim()}` };
  } catch (e) {
    return { error: (e.stderr || e.message || String(e)).trim() };
  }
}

// The pipeline's bytes (made natively) at the lowest quality whose SSIM reaches `target`.
function bytesAt(original, target) {
  try {
    const out = execFileSync(ssimBin, ['--bytes-at', target.toFixed(4), original], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const [quality, bytes, ssim] = out.trim().split(' ').map(Number);
    return { quality, bytes, ssim };
  } catch (e) {
    progress(`  bytes at SSIM ${target} for ${path.basename(original)}: ${(e.stderr || e.message).trim()}`);
    return null;
  }
}

// --- report ------------------------------------------------------------------------------------

const ms = (x) => (x == null ? 'n/a' : x >= 100 ? x.toFixed(0) : x.toFixed(1));
const int = (x) => x.toLocaleString('en-US');
const mib = (x) => `${(x / 2 ** 20).toFixed(1)} MiB`;
const ratio = (x) => (x == null || !Number.isFinite(x) ? 'n/a' : x.toFixed(2));
const task = (x) => (x == null ? 'n/a' : x === 0 ? '<50' : `${ms(x)} ms`);

function report(results, ssimNote) {
  const lines = [];
  const row = (cells) => lines.push(`| ${cells.join(' | ')} |`);
  const head = (cells) => {
    row(cells);
    row(cells.map(() => '---'));
  };
  const find = (photo, method) => results.rows.find((r) => r.photo === photo && r.method === method);

  lines.push(`Chromium ${results.chromium}, ${results.env.hardwareConcurrency} cores, ` +
    `${results.config.warmup} warm-up + ${results.config.runs} timed runs, display 2048 px q0.82`, '');
  head(['photo', 'method', 'median ms', 'min ms', 'bytes', 'size', 'SSIM', 'longest main-thread task']);
  for (const r of results.rows) {
    const s = r.ssim == null ? 'n/a' : r.ssim.toFixed(4);
    row([r.photo, r.method, ms(r.medianMs), ms(r.minMs), int(r.bytes), `${r.width}x${r.height}`, s, task(r.longestTaskMs)]);
  }
  if (ssimNote) lines.push('', ssimNote);

  lines.push('', 'vitrine extras', '');
  head(['photo', 'display median ms', 'all 3 variants median ms', 'all3 / display',
    'all 3 shared with a helper median (min) ms', 'shared / display', 'variants the helper made']);
  for (const a of results.all3) {
    const display = find(a.photo, 'vitrine');
    row([a.photo, ms(display.medianMs), ms(a.medianMs), ratio(a.medianMs / display.medianMs),
      `${ms(a.sharedMedianMs)} (${ms(a.sharedMinMs)})`, ratio(a.sharedMedianMs / display.medianMs), a.helped]);
  }
  lines.push('', 'vitrine display variant inside the worker, median ms by stage', '');
  head(['photo', 'decode', 'resize', 'orient', 'encode']);
  for (const a of results.all3) {
    const t = a.stages;
    row([a.photo, ms(t.decode), ms(t.resize), ms(t.orient), ms(t.encode)]);
  }
  lines.push('');
  if (results.memory) {
    const m = results.memory;
    lines.push(`- peak wasm memory after ${m.photo} (fresh worker): ${mib(m.displayBytes)} display only, ` +
      `${mib(m.all3Bytes)} after all 3 variants`);
  }
  const b = results.batch;
  lines.push(`- batch of ${b.photos.length} photos, all 3 variants: pool of ${b.poolSize} ${ms(b.pooledMs)} ms, ` +
    `pool of 1 ${ms(b.singleMs)} ms, speedup ${ratio(b.speedup)}x`);

  if (results.atNativeSsim) {
    lines.push('', "vitrine's encoder at native's quality (rate-distortion, made natively by the SSIM tool)", '');
    head(['photo', 'native SSIM', 'lowest vitrine quality reaching it', 'its bytes (SSIM)', 'native bytes', 'ratio']);
    for (const [photo, at] of Object.entries(results.atNativeSsim)) {
      const n = find(photo, 'native');
      row([photo, n.ssim.toFixed(4), at ? at.quality : 'n/a', at ? `${int(at.bytes)} (${at.ssim.toFixed(4)})` : 'n/a',
        int(n.bytes), at ? ratio(at.bytes / n.bytes) : 'n/a']);
    }
  }

  lines.push('', 'targets', '');
  head(['check', 'photo', 'value', 'target', 'met']);
  for (const t of results.targets) {
    const met = t.value == null ? 'n/a' : t.met ? 'yes' : 'NO';
    row([t.check, t.photo, t.value == null ? 'n/a' : t.check.startsWith('SSIM') ? t.value.toFixed(4) : ratio(t.value), t.target, met]);
  }
  return lines.join('\n');
}

function targets(results) {
  const out = [];
  const find = (photo, method) => results.rows.find((r) => r.photo === photo && r.method === method);
  const add = (check, photo, value, target, ok) =>
    out.push({ check, photo, value, target, met: value == null ? null : ok(value) });
  for (const photo of photos) {
    const [v, n] = [find(photo, 'vitrine'), find(photo, 'native')];
    // Issue 17: no slower than the browser's own path on any photo.
    add('vitrine / native median ms', photo, v.medianMs / n.medianMs, '≤ 1.0', (x) => x <= 1.0);
  }
  if (results.config.bigPhoto) {
    const photo = results.config.bigPhoto;
    add('vitrine / bic median ms', photo, find(photo, 'vitrine').medianMs / find(photo, 'bic').medianMs, '≤ 0.5', (x) => x <= 0.5);
  }
  for (const a of results.all3) {
    const display = find(a.photo, 'vitrine').medianMs;
    add('all 3 / display (a worker alone, shared)', a.photo, a.sharedMedianMs / display, '≤ 1.3', (x) => x <= 1.3);
  }
  for (const photo of photos) {
    add('vitrine / native bytes', photo, find(photo, 'vitrine').bytes / find(photo, 'native').bytes, '≤ 1.0', (x) => x <= 1.0);
  }
  for (const photo of photos) {
    const [v, n] = [find(photo, 'vitrine').ssim, find(photo, 'native').ssim];
    add('SSIM vitrine - native', photo, v == null || n == null ? null : v - n, '≥ 0', (x) => x >= 0);
  }
  // One quality for every photo cannot sit at native's point on each one's curve: this asks
  // whether, matched for SSIM, vitrine's JPEG is the smaller.
  for (const photo of photos) {
    const at = results.atNativeSsim?.[photo];
    const n = find(photo, 'native');
    add('vitrine bytes at native SSIM / native bytes', photo, at ? at.bytes / n.bytes : null, '≤ 1.0', (x) => x <= 1.0);
  }
  return out;
}

// --- main --------------------------------------------------------------------------------------

async function main() {
  preflight();
  const server = await startServer();
  const base = `http://127.0.0.1:${server.address().port}`;
  progress(`serving on ${base}; photos from ${photosDir}`);
  let results;
  try {
    results = await runInBrowser(base);
  } finally {
    server.close();
  }

  fs.mkdirSync(outDir, { recursive: true });
  for (const r of results.rows) {
    r.file = path.join(outDir, `${r.method}-${path.parse(r.photo).name}.jpg`);
    fs.writeFileSync(r.file, Buffer.from(r.output, 'base64'));
    delete r.output;
  }

  let ssimNote = null;
  if (fs.existsSync(ssimBin)) {
    progress(`SSIM with ${ssimBin}...`);
    for (const r of results.rows) {
      const { value, error } = ssim(path.join(photosDir, r.photo), r.file);
      r.ssim = value ?? null;
      if (error) progress(`  SSIM ${path.basename(r.file)}: ${error}`);
    }
    progress("vitrine's bytes at native's SSIM...");
    results.atNativeSsim = {};
    for (const r of results.rows.filter((row) => row.method === 'native' && row.ssim != null)) {
      results.atNativeSsim[r.photo] = bytesAt(path.join(photosDir, r.photo), r.ssim);
    }
  } else {
    for (const r of results.rows) r.ssim = null;
    ssimNote = `SSIM n/a: ${ssimBin} not found; ${SSIM_HINT}`;
  }
  results.targets = targets(results);
  results.ssimBin = fs.existsSync(ssimBin) ? ssimBin : null;
  results.date = new Date().toISOString();

  fs.writeFileSync(path.join(outDir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(report(results, ssimNote));
  progress(`\noutputs and results.json in ${outDir}`);
}

main().catch((e) => {
  progress(`bench failed: ${e.stack ?? e}`);
  process.exit(1);
});
