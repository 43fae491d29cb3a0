// HEIC benchmark: vitrine's HEIC module (pure Rust, heifer, in the photo worker) vs heic-to
// (libheif in WebAssembly) on the same files, in one headless Chromium run, with SSIM against
// libheif's own decode (made by scripts/make-heif-fixtures.py).
// Usage (from end2end/): node bench/heic.mjs [--runs N] [--warmup N] [--out DIR]
// Needs: scripts/build-worker.sh (public/worker/ with the HEIC module), `npm ci` (heic-to),
// target/release/examples/ssim (cargo build --release -p pipeline --example ssim), and the
// 12 MP photo: python with pillow-heif running scripts/make-heif-fixtures.py --bench target/bench-heic
// (the script's header says how). Prints a markdown table; writes results.json and outputs.
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
const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '1' },
    out: { type: 'string', default: path.join(repo, 'target/bench-heic') },
  },
});
const outDir = path.resolve(args.out);
const ssimBin = process.env.SSIM_BIN ?? path.join(repo, 'target/release/examples/ssim');
// Each file with libheif's decode of it, in sRGB, transparency on white.
const FILES = [
  { name: 'iphone-12mp.heic', dir: outDir, reference: path.join(outDir, 'iphone-12mp.ref.png') },
  ...['rotated', 'display-p3', 'alpha'].map((n) => ({
    name: `${n}.heic`,
    dir: path.join(repo, 'fixtures/heif'),
    reference: path.join(repo, `fixtures/heif/${n}.ref.jpg`),
  })),
];
const ROUTES = {
  '/bench/': benchDir,
  '/worker/': path.join(repo, 'public/worker'),
  '/heic-to/': path.join(end2endDir, 'node_modules/heic-to/dist'),
};
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm' };

const missing = [
  ...FILES.flatMap((f) => [path.join(f.dir, f.name), f.reference]),
  path.join(ROUTES['/worker/'], 'vitrine_worker_heic_bg.wasm'),
  path.join(ROUTES['/heic-to/'], 'heic-to.js'),
  ssimBin,
].filter((f) => !fs.existsSync(f));
if (missing.length) {
  console.error(`missing: ${missing.join('\n  ')}\n(see the header of bench/heic.mjs for how to make each)`);
  process.exit(2);
}

function serve(req, res) {
  const url = new URL(req.url, 'http://localhost').pathname;
  let file = url === '/' ? path.join(benchDir, 'heic.html') : null;
  for (const [prefix, dir] of Object.entries(ROUTES)) {
    if (url.startsWith(prefix)) file = path.resolve(dir, `.${url.slice(prefix.length - 1)}`);
  }
  const asked = FILES.find((f) => url === `/files/${f.name}`);
  if (asked) file = path.join(asked.dir, asked.name);
  if (!file || !fs.existsSync(file)) return res.writeHead(404).end();
  res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
  res.end(fs.readFileSync(file));
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0], median: s[Math.floor(s.length / 2)], max: s[s.length - 1] };
};
const fmt = (x) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));

const server = http.createServer(serve);
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${server.address().port}`;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu'],
});
let results;
try {
  const page = await browser.newPage();
  page.on('console', (m) => console.error(`  ${m.text()}`));
  page.on('pageerror', (e) => console.error(`  page error: ${e.message}`));
  await page.goto(base);
  await page.waitForFunction(() => typeof window.runBenchmark === 'function');
  results = await page.evaluate((c) => window.runBenchmark(c), {
    files: FILES.map((f) => ({ name: f.name, url: `/files/${f.name}` })),
    warmup: Number(args.warmup),
    runs: Number(args.runs),
  });
  results.chromium = browser.version();
} finally {
  await browser.close();
  server.close();
}

const lines = [
  `Chromium ${results.chromium}; ${args.runs} timed runs after ${args.warmup} warm-up, the methods taking turns.`,
  '',
  '| file | method | min / median / max ms | vitrine ÷ this (median) | SSIM vs libheif |',
  '|---|---|---|---|---|',
];
const summary = [];
for (const r of results) {
  const file = FILES.find((f) => f.name === r.name);
  const vitrine = stats(r.times.vitrine).median;
  for (const [method, times] of Object.entries(r.times)) {
    const t = stats(times);
    let score = 'n/a';
    if (r.outputs[method]) {
      const out = path.join(outDir, `${method.replace(/\W+/g, '-')}-${r.name}.jpg`);
      fs.writeFileSync(out, Buffer.from(r.outputs[method], 'base64'));
      score = execFileSync(ssimBin, [file.reference, out], { encoding: 'utf8' }).trim();
    }
    const ratio = method === 'vitrine' ? '' : (vitrine / t.median).toFixed(2);
    lines.push(`| ${r.name} | ${method} | ${fmt(t.min)} / ${fmt(t.median)} / ${fmt(t.max)} | ${ratio} | ${score} |`);
    summary.push({ file: r.name, method, ...t, ssim: score });
  }
  summary.push({ file: r.name, method: 'vitrine stages', ...r.stages });
}
lines.push('', '| file | vitrine display variant alone: decode / resize / orient / encode ms |', '|---|---|');
for (const r of results) {
  const s = r.stages;
  lines.push(`| ${r.name} | ${[s.decode, s.resize, s.orient, s.encode].map(fmt).join(' / ')} |`);
}
lines.push('', 'vitrine: all three upload variants (its SSIM is the display variant\'s, against libheif\'s decode resized the same way); heic-to jpeg: one JPEG at full size.');
console.log(lines.join('\n'));
fs.writeFileSync(path.join(outDir, 'results.json'), JSON.stringify(summary, null, 2));
