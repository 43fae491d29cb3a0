// The benchmark itself, run inside Chromium by bench/browser.mjs through window.runBenchmark().
// Three ways to make a "display" JPEG (longest side 2048 px, quality 0.82) from a photo:
//   vitrine: the Rust/WebAssembly pipeline in its module worker (/worker/worker.js)
//   bic:     browser-image-compression with useWebWorker (one throwaway worker per call)
//   native:  createImageBitmap + OffscreenCanvas in a worker (native-worker.js)
// Wall times run from just before the call until the result is back on the main thread.

const VITRINE_URL = '/worker/worker.js';
const NATIVE_URL = '/bench/native-worker.js';
const BIC_URL = new URL('/bic/browser-image-compression.js', location.href).href;

// browser-image-compression quietly falls back to the main thread when its worker fails (say
// libURL does not load), which would flatter its main-thread numbers. Its workers are the only
// blob: workers in this page, so watch them.
const bicWorkers = { created: 0, failed: 0 };
const PageWorker = window.Worker;
window.Worker = class extends PageWorker {
  constructor(url, options) {
    super(url, options);
    if (String(url).startsWith('blob:')) {
      bicWorkers.created++;
      this.addEventListener('message', ({ data }) => {
        if (data?.error) {
          bicWorkers.failed++;
          console.error(`[bench] bic worker failed: ${data.error}`);
        }
      });
      this.addEventListener('error', () => bicWorkers.failed++);
    }
  }
};

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x) => Math.round(x * 10) / 10;
const log = (text) => console.log(`[bench] ${text}`);

/** One message to a worker that answers each message once; resolves with its answer. */
function request(worker, message) {
  return new Promise((resolve, reject) => {
    const done = () => {
      worker.removeEventListener('message', onMessage);
      worker.removeEventListener('error', onError);
    };
    const onMessage = ({ data }) => {
      done();
      data?.error ? reject(new Error(data.error)) : resolve(data);
    };
    const onError = (e) => {
      done();
      reject(new Error(`worker failed: ${e.message ?? 'could not load'}`));
    };
    worker.addEventListener('message', onMessage);
    worker.addEventListener('error', onError);
    worker.postMessage(message);
  });
}

const vitrineWorker = () => new Worker(VITRINE_URL, { type: 'module' });

/**
 * Runs fn and returns the longest main-thread task (ms) reported meanwhile: 0 when none, since
 * Chromium only reports tasks over 50 ms; null when long tasks are not observable.
 */
async function longestTaskDuring(fn) {
  if (!PerformanceObserver.supportedEntryTypes?.includes('longtask')) {
    await fn();
    return null;
  }
  let longest = 0;
  const note = (entries) => entries.forEach((e) => (longest = Math.max(longest, e.duration)));
  const observer = new PerformanceObserver((list) => note(list.getEntries()));
  observer.observe({ type: 'longtask', buffered: false });
  try {
    await fn();
    await sleep(100); // a long task's entry is queued only after the task ends
    note(observer.takeRecords());
  } finally {
    observer.disconnect();
  }
  return round(longest);
}

/**
 * Warm-up calls, then timed rounds in which every call runs once, in an order that rotates each
 * round: load from elsewhere on the machine then falls on all of them alike, so their ratios
 * hold even when absolute times drift. Returns, by name, wall times, answers and the longest
 * main-thread task seen during its calls.
 */
async function timeInterleaved(calls, { warmup, runs }) {
  const names = Object.keys(calls);
  const out = Object.fromEntries(names.map((n) => [n, { times: [], answers: [], longestTaskMs: 0 }]));
  for (let i = 0; i < warmup; i++) for (const n of names) await calls[n]();
  for (let r = 0; r < runs; r++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(r + k) % names.length];
      let answer;
      const started = performance.now();
      let took;
      const longest = await longestTaskDuring(async () => {
        answer = await calls[name]();
        took = performance.now() - started;
      });
      const o = out[name];
      o.times.push(round(took));
      o.answers.push(answer);
      o.longestTaskMs = longest == null || o.longestTaskMs == null ? null : Math.max(o.longestTaskMs, longest);
    }
  }
  return out;
}

/** The contenders. call() is timed; describe() turns its answer into bytes and size, untimed. */
function methods(config, workers) {
  return {
    vitrine: {
      call: (file) => request(workers.vitrine, { file, only: 'display' }),
      describe: async (answer) => {
        const { bytes, width, height } = answer.variants[0];
        return { bytes, width, height };
      },
    },
    bic: {
      call: (file) =>
        window.imageCompression(file, {
          maxWidthOrHeight: config.maxSide,
          initialQuality: config.quality,
          fileType: 'image/jpeg',
          useWebWorker: true,
          libURL: BIC_URL,
        }),
      describe: async (blob) => {
        // The library hands back a Blob; its size comes from decoding it.
        const bitmap = await createImageBitmap(blob);
        const size = { width: bitmap.width, height: bitmap.height };
        bitmap.close();
        return { bytes: new Uint8Array(await blob.arrayBuffer()), ...size };
      },
    },
    native: {
      call: (file) =>
        request(workers.native, { file, maxSide: config.maxSide, quality: config.quality }),
      describe: async (answer) => answer,
    },
  };
}

/** Loads the photos into File objects up front, so no fetch is ever timed. */
async function loadPhotos(photos) {
  const files = {};
  for (const { name, url } of photos) {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
    const blob = await response.blob();
    files[name] = new File([blob], name, { type: blob.type });
  }
  return files;
}

/** Processes files (all variants) with a pool of fresh, warmed vitrine workers; wall ms. */
async function batch(files, poolSize, warmFile) {
  const pool = Array.from({ length: poolSize }, vitrineWorker);
  try {
    await Promise.all(pool.map((w) => request(w, { file: warmFile })));
    let next = 0;
    const started = performance.now();
    await Promise.all(
      pool.map(async (w) => {
        while (next < files.length) await request(w, { file: files[next++] });
      }),
    );
    return round(performance.now() - started);
  } finally {
    pool.forEach((w) => w.terminate());
  }
}

function toBase64(bytes) {
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(text);
}

/**
 * config: { photos: [{name, url}], bigPhoto, warmup, runs, batchSize, maxSide, quality }.
 * Returns plain data; output JPEGs as base64 (rows[].output).
 */
window.runBenchmark = async (config) => {
  if (typeof window.imageCompression !== 'function') {
    throw new Error(`browser-image-compression did not load from ${BIC_URL}`);
  }
  const files = await loadPhotos(config.photos);
  const workers = { vitrine: vitrineWorker(), native: new Worker(NATIVE_URL) };
  const contenders = methods(config, workers);
  const rows = [];
  const all3 = [];
  try {
    for (const { name } of config.photos) {
      const file = files[name];
      // The three contenders and vitrine's all-three-variants call, interleaved.
      const calls = Object.fromEntries(Object.entries(contenders).map(([m, { call }]) => [m, () => call(file)]));
      calls.all3 = () => request(workers.vitrine, { file });
      // As the upload pool asks a worker alone at work: the smaller variants made by a helper.
      calls.all3shared = () => request(workers.vitrine, { file, share: true });
      const timed = await timeInterleaved(calls, config);
      for (const [method, { describe }] of Object.entries(contenders)) {
        const { times, answers, longestTaskMs } = timed[method];
        const { bytes, width, height } = await describe(answers.at(-1));
        const row = { photo: name, method, times, medianMs: median(times), minMs: Math.min(...times) };
        Object.assign(row, { bytes: bytes.length, width, height, longestTaskMs, output: bytes });
        if (method === 'vitrine') row.workerMs = answers.map((a) => round(a.ms));
        rows.push(row);
        log(`${name} ${method}: median ${row.medianMs} ms, ${width}x${height}, ${bytes.length} B`);
      }
      // All three upload variants (display, medium, thumb) in one call, as the upload does.
      const { times, answers } = timed.all3;
      const variants = answers.at(-1).variants.map(({ variant, bytes, width, height }) => ({
        variant, bytes: bytes.length, width, height,
      }));
      const shared = timed.all3shared;
      const sharedVariants = shared.answers.at(-1).variants;
      if (sharedVariants.some((v, i) => v.sha256 !== answers.at(-1).variants[i].sha256)) {
        throw new Error(`${name}: the shared variants differ from one worker's`);
      }
      all3.push({
        photo: name, times, medianMs: median(times), minMs: Math.min(...times), variants,
        sharedMedianMs: median(shared.times), sharedMinMs: Math.min(...shared.times),
        helped: shared.answers.at(-1).helped,
      });
      log(`${name} vitrine all 3 variants: median ${median(times)} ms, shared ${median(shared.times)} ms`);
      // Inside the worker, stage by stage (display variant): where the time goes.
      const staged = [];
      for (let i = 0; i < config.runs; i++) staged.push((await request(workers.vitrine, { file, stages: true })).stages);
      all3.at(-1).stages = Object.fromEntries(Object.keys(staged[0]).map((k) => [k, median(staged.map((t) => t[k]))]));
    }
  } finally {
    workers.vitrine.terminate();
    workers.native.terminate();
  }
  if (bicWorkers.created === 0 || bicWorkers.failed > 0) {
    throw new Error(`browser-image-compression did not run in its worker (${JSON.stringify(bicWorkers)})`);
  }

  // Peak wasm memory: linear memory never shrinks, so a fresh worker's size after the photo is
  // that photo's peak.
  let memory = null;
  if (config.bigPhoto) {
    const w = vitrineWorker();
    try {
      const file = files[config.bigPhoto];
      const display = (await request(w, { file, only: 'display' })).memory;
      const allVariants = (await request(w, { file })).memory;
      memory = { photo: config.bigPhoto, displayBytes: display, all3Bytes: allVariants };
    } finally {
      w.terminate();
    }
    log(`memory after ${config.bigPhoto}: ${memory.all3Bytes} B`);
  }

  // Batch: the upload pool's case, many photos at once, all three variants each.
  const names = config.photos.map((p) => p.name);
  const batchNames = Array.from({ length: config.batchSize }, (_, i) => names[i % names.length]);
  const batchFiles = batchNames.map((n) => files[n]);
  const poolSize = Math.max(1, Math.min(navigator.hardwareConcurrency || 1, 4));
  log(`batch of ${batchFiles.length} photos, pool of ${poolSize}...`);
  const pooledMs = await batch(batchFiles, poolSize, files[names[0]]);
  log(`batch of ${batchFiles.length} photos, pool of 1...`);
  const singleMs = await batch(batchFiles, 1, files[names[0]]);
  const batchResult = { photos: batchNames, poolSize, pooledMs, singleMs, speedup: singleMs / pooledMs };

  for (const row of rows) row.output = toBase64(row.output);
  return {
    env: { userAgent: navigator.userAgent, hardwareConcurrency: navigator.hardwareConcurrency },
    bicWorkers,
    rows,
    all3,
    memory,
    batch: batchResult,
  };
};
