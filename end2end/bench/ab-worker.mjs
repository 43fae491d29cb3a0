// Two builds of the photo worker timed against each other in one Node process (V8, the engine
// Chromium runs the worker with): each photo is processed by build A, then B, then A..., so
// both see the same machine at the same moments. Prints min / median / max ms, B ÷ A of the
// medians, the bytes each made, and whether they are the same bytes (a change meant to keep
// the output must say "same").
// Usage (from end2end/): node bench/ab-worker.mjs --a DIR --b DIR [--variant display|all]
//                                                 [--runs 10] [--heic] photo...
// --heic times the worker's HEIC module (e.g. ../fixtures/heif/rotated.heic) instead.
// DIR: a copy of public/worker/ as scripts/build-worker.sh left it (e.g. cp -r public/worker
// /tmp/worker-before, then rebuild). A photo is a corpus name or a path with a slash.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { values: args, positionals: photos } = parseArgs({
  allowPositionals: true,
  options: {
    a: { type: 'string' },
    b: { type: 'string' },
    variant: { type: 'string', default: 'display' },
    runs: { type: 'string', default: '10' },
    heic: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (args.help || !args.a || !args.b || photos.length === 0) {
  console.log(fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\nimport')[0]);
  process.exit(args.help ? 0 : 2);
}

async function load(dir) {
  const name = args.heic ? 'vitrine_worker_heic' : 'vitrine_worker';
  const glue = path.resolve(dir, `${name}.js`);
  if (!fs.existsSync(glue)) throw new Error(`${glue} is missing: copy a built public/worker/`);
  // A query string makes Node load the second build as a module of its own.
  const worker = await import(`${glue}?${encodeURIComponent(dir)}`);
  worker.initSync({ module: fs.readFileSync(path.resolve(dir, `${name}_bg.wasm`)) });
  return worker;
}

const builds = { A: await load(args.a), B: await load(args.b) };
const corpus = path.resolve(repo, process.env.CORPUS ?? '../shared/corpus', 'photos');
const stats = (xs) => {
  const s = [...xs].sort((x, y) => x - y);
  return { min: s[0], median: s[Math.floor(s.length / 2)], max: s[s.length - 1] };
};
const ms = (x) => x.toFixed(1);

for (const name of photos) {
  const photo = fs.readFileSync(name.includes('/') ? path.resolve(name) : path.join(corpus, name));
  const times = { A: [], B: [] };
  const bytes = {};
  const made = {};
  const run = (which) => {
    const started = performance.now();
    const out = builds[which].process(photo, args.variant === 'all' ? undefined : args.variant);
    const took = performance.now() - started;
    made[which] = out.map((variant) => Buffer.from(variant.bytes));
    bytes[which] = made[which].reduce((n, b) => n + b.length, 0);
    return took;
  };
  // Two warm-up rounds: V8 tiers WebAssembly up while it runs.
  for (let i = 0; i < 2; i++) run('A'), run('B');
  for (let i = 0; i < Number(args.runs); i++) {
    times.A.push(run('A'));
    times.B.push(run('B'));
  }
  const [a, b] = [stats(times.A), stats(times.B)];
  console.log(
    `${path.basename(name)}: A ${ms(a.min)} / ${ms(a.median)} / ${ms(a.max)} ms, ` +
      `B ${ms(b.min)} / ${ms(b.median)} / ${ms(b.max)} ms, B ÷ A ${(b.median / a.median).toFixed(2)}; ` +
      `bytes A ${bytes.A}, B ${bytes.B}, ` +
      (made.A.every((b, i) => b.equals(made.B[i])) ? 'same' : 'DIFFERENT'),
  );
}
