// Where the photo worker's time goes: runs the worker's WebAssembly (public/worker/, as built by
// scripts/build-worker.sh) on one photo in Node, whose V8 is the engine Chromium runs it with,
// under V8's sampling profiler, and prints each function's share of the samples (self time).
// Usage (from end2end/): node bench/profile-worker.mjs [--photo jolla.jpg] [--variant display]
//                                                      [--runs 20] [--top 30] [--heic]
// --photo: a name in CORPUS/photos (default ../shared/corpus from the repo root), or a path
// (e.g. ../fixtures/heif/plain.heic with --heic, the worker's HEIC module).
// Wasm function names are Rust paths without their hash suffix; "(program)" and "(garbage
// collector)" are V8's own. Shares, not times: for times, bench/browser.mjs.
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { values: args } = parseArgs({
  options: {
    photo: { type: 'string', default: 'jolla.jpg' },
    variant: { type: 'string' },
    runs: { type: 'string', default: '20' },
    top: { type: 'string', default: '30' },
    heic: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (args.help) {
  console.log(fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\nimport')[0]);
  process.exit(0);
}

const name = args.heic ? 'vitrine_worker_heic' : 'vitrine_worker';
const workerDir = path.join(repo, 'public/worker');
const glue = path.join(workerDir, `${name}.js`);
if (!fs.existsSync(glue)) throw new Error(`${glue} is missing: run scripts/build-worker.sh`);
// A bare name is a corpus photo; anything with a slash, a path from the current directory.
const photoPath = args.photo.includes('/')
  ? path.resolve(args.photo)
  : path.join(path.resolve(repo, process.env.CORPUS ?? '../shared/corpus'), 'photos', args.photo);
const photo = fs.readFileSync(photoPath);

const worker = await import(glue);
worker.initSync({ module: fs.readFileSync(path.join(workerDir, `${name}_bg.wasm`)) });
const run = () => worker.process(photo, args.variant);
// Warm up: V8 tiers WebAssembly up while it runs; the profile is of the optimised code.
for (let i = 0; i < 3; i++) run();

const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.setSamplingInterval', { interval: 100 });
await session.post('Profiler.start');
const started = performance.now();
const runs = Number(args.runs);
for (let i = 0; i < runs; i++) run();
const perRun = (performance.now() - started) / runs;
const { profile } = await session.post('Profiler.stop');
session.disconnect();

const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map();
for (const id of profile.samples) {
  const frame = nodes.get(id).callFrame;
  const fn = (frame.functionName || `(${path.basename(frame.url) || 'anonymous'})`).replace(/::h[0-9a-f]{16}$/, '');
  self.set(fn, (self.get(fn) ?? 0) + 1);
}
const total = profile.samples.length;
console.log(`${path.basename(args.photo)}, ${args.variant ?? 'all variants'}: ${runs} runs, ${perRun.toFixed(1)} ms each (profiler on), ${total} samples\n`);
console.log('| self % | function |\n|---:|---|');
for (const [fn, n] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(args.top))) {
  console.log(`| ${((100 * n) / total).toFixed(1)} | \`${fn.replaceAll('|', '\\|')}\` |`);
}
