// One upload-pool worker: runs the Rust pipeline (vitrine_worker.wasm) on the files the page
// posts, and posts the encoded variants back, transferring their buffers (no copies).
// HEIC/HEIF photos go to the HEIC module (vitrine_worker_heic.wasm: the same pipeline with a
// HEIC decoder), fetched the first time one is picked, so the usual photo never pays for it.
// An iPhone photo is a grid of tiles, and decoding them is nearly all of its time: a worker
// alone at work (`share`) decodes half of them and a helper (this same script, started by
// this worker) the other half, then joins them. Without the helper it decodes them all.
// Message in:  { file: File | Blob, share?: boolean, only?: string, stages?: true }
// Message out: { variants: [{ variant, bytes, width, height, contentType, sha256 }], ms, memory,
//                helped (tiles the helper decoded) }
//          or: { stages: { decode, resize, orient, encode } }  (ms; benchmarks)
//          or: { error: string, broken: boolean }  (broken: the module trapped; replace the worker)
// Helper in:   { warm: true } (load the HEIC module now)  or  { id, input: ArrayBuffer, from, to }
// Helper out:  { id, tiles: Uint8Array }  or  { id, error: string }
import init, { process, memoryBytes, stages, needsHeic } from './vitrine_worker.js';

const ready = init();
const usual = { process, memoryBytes, stages };
const SHARE_FROM_TILES = 4;
let heic;
let helper;
let asked = 0;

/** The HEIC module, loaded once per worker. */
function heicModule() {
  heic ??= import('./vitrine_worker_heic.js').then(async (module) => {
    await module.default();
    return module;
  });
  return heic;
}

/** The helper worker, started (and its HEIC module loaded) once. */
function helperWorker() {
  if (!helper) {
    helper = new Worker(new URL(import.meta.url), { type: 'module' });
    helper.postMessage({ warm: true });
  }
  return helper;
}

/** Tiles `from..to` of `input` decoded by the helper; null if it cannot (this worker then does). */
function decodeByHelper(input, from, to) {
  const id = ++asked;
  return new Promise((resolve) => {
    const worker = helperWorker();
    // Only the answer to this request: a late one, to a request given up on, is dropped.
    worker.onmessage = ({ data }) => data.id === id && resolve(data.tiles ?? null);
    worker.onerror = (e) => {
      e.preventDefault();
      worker.terminate();
      helper = undefined;
      resolve(null);
    };
    const copy = input.slice();
    worker.postMessage({ id, input: copy.buffer, from, to }, [copy.buffer]);
  });
}

/** The helper's side: load the module (`warm`), or decode the tiles asked for or say why not. */
async function helpWith(data) {
  try {
    const module = await heicModule();
    if (data.warm) return;
    const tiles = module.heicDecodeTiles(new Uint8Array(data.input), data.from, data.to);
    self.postMessage({ id: data.id, tiles }, [tiles.buffer]);
  } catch (e) {
    heic = undefined;
    // Warming up, nobody waits: the request that follows tries again.
    if (!data.warm) self.postMessage({ id: data.id, error: String(e) });
  }
}

/** The variants of a HEIC photo, its tiles decoded here and by the helper when it is worth
 * it, and how many tiles the helper decoded. */
async function processHeic(module, input, data) {
  const tiles = data.share ? module.heicTiles(input) : 0;
  if (tiles < SHARE_FROM_TILES) return [module.process(input, data.only), 0];
  const half = Math.floor(tiles / 2);
  const theirs = decodeByHelper(input, half, tiles);
  const mine = module.heicDecodeTiles(input, 0, half);
  const helped = await theirs;
  const rest = helped ?? module.heicDecodeTiles(input, half, tiles);
  return [module.processHeicTiles(input, mine, rest, data.only), helped ? tiles - half : 0];
}

self.onmessage = async ({ data }) => {
  if (data.warm || data.input) return helpWith(data);
  try {
    await ready;
  } catch (e) {
    self.postMessage({ error: `The photo tool could not load (${e}). Reload the page.`, broken: true });
    return;
  }
  let input;
  let pipeline = usual;
  try {
    input = new Uint8Array(await data.file.arrayBuffer());
    if (needsHeic(input.subarray(0, 16))) {
      // The helper loads its module while this worker loads its own.
      if (data.share) helperWorker();
      pipeline = await heicModule();
    }
  } catch (e) {
    heic = undefined;
    self.postMessage({ error: `The HEIC photo reader could not load (${e}). Check the connection and try again.`, broken: false });
    return;
  }
  try {
    if (data.stages) {
      self.postMessage({ stages: pipeline.stages(input, () => performance.now()) });
      return;
    }
    const started = performance.now();
    const [variants, helped] = pipeline === usual ? [pipeline.process(input, data.only), 0] : await processHeic(pipeline, input, data);
    const ms = performance.now() - started;
    self.postMessage({ variants, ms, memory: pipeline.memoryBytes(), helped }, variants.map((v) => v.bytes.buffer));
  } catch (e) {
    const broken = e instanceof WebAssembly.RuntimeError;
    const message = broken ? 'The photo could not be processed (the photo tool crashed). Try again, or choose another photo.' : e.message;
    self.postMessage({ error: message, broken });
  }
};
