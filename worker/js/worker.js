// One upload-pool worker: runs the Rust pipeline (vitrine_worker.wasm) on the files the page
// posts, and posts the encoded variants back, transferring their buffers (no copies).
// HEIC/HEIF photos go to the HEIC module (vitrine_worker_heic.wasm: the same pipeline with a
// HEIC decoder), fetched the first time one is picked, so the usual photo never pays for it.
// A worker alone at work (`share`) shares a photo with a helper (this same script, started by
// this worker): an iPhone photo is a grid of tiles, and decoding them is nearly all of its
// time, so the helper decodes half of them; any other big photo is decoded and resized to its
// display variant here, and the helper makes the smaller variants from those pixels while this
// worker encodes the display one (from the second such photo on: the first starts the helper
// and does not wait for it). The bytes are the same either way; a helper that cannot help
// leaves its part to this worker. It stops after a while without work.
// Message in:  { file: File | Blob, share?: boolean, only?: string, stages?: true }
// Message out: { variants: [{ variant, bytes, width, height, contentType, sha256 }], ms, memory,
//                helped (tiles or variants the helper made) }
//          or: { stages: { decode, resize, orient, encode } }  (ms; benchmarks)
//          or: { error: string, broken: boolean }  (broken: the module trapped; replace the worker)
// Helper in:   { warm: true } (load the HEIC module now),  { id, ping: true } (answer once the
//              usual module is loaded),  { id, input: ArrayBuffer, from, to } (decode those
//              tiles)  or  { id, handoff: ArrayBuffer } (make the smaller variants)
// Helper out:  { id },  { id, tiles: Uint8Array },  { id, variants }  or  { id, error: string }
import init, { process, memoryBytes, stages, needsHeic, prepareShared, renderHandoff } from './vitrine_worker.js';

const ready = init();
const usual = { process, memoryBytes, stages };
const HELPER_IDLE_MS = 30_000;
const SHARE_FROM_TILES = 4;
let heic;
let helper;
let asked = 0;
let helperIdle;
/** Whether the helper has its module loaded: until then, handing it work would wait for it. */
let helperUp = false;
/** The helper's answers awaited, by request id. */
const pending = new Map();

/** The HEIC module, loaded once per worker. */
function heicModule() {
  heic ??= import('./vitrine_worker_heic.js').then(async (module) => {
    await module.default();
    return module;
  });
  return heic;
}

/** The helper worker, started once: it loads the usual module as it starts, and says so. */
function helperWorker() {
  clearTimeout(helperIdle);
  if (!helper) {
    const started = new Worker(new URL(import.meta.url), { type: 'module' });
    helper = started;
    helperUp = false;
    // Only the answers to requests still waiting: any other is dropped.
    started.onmessage = ({ data }) => {
      pending.get(data.id)?.(data.error ? null : data);
      pending.delete(data.id);
    };
    started.onerror = (e) => {
      e.preventDefault();
      started.terminate();
      if (helper === started) helper = undefined;
      for (const answer of pending.values()) answer(null);
      pending.clear();
    };
    askHelper({ ping: true }).then((answer) => {
      if (helper === started) helperUp = answer !== null;
    });
  }
  return helper;
}

/** Stops the helper after a while without work: it holds its own WebAssembly memory. */
function restHelper() {
  clearTimeout(helperIdle);
  if (pending.size > 0) return;
  helperIdle = setTimeout(() => {
    helper?.terminate();
    helper = undefined;
  }, HELPER_IDLE_MS);
}

/** The helper's answer to `message`, or null if it cannot (this worker then does the work). */
function askHelper(message, transfer = []) {
  const id = ++asked;
  return new Promise((resolve) => {
    pending.set(id, resolve);
    helperWorker().postMessage({ id, ...message }, transfer);
  }).finally(restHelper);
}

/** Tiles `from..to` of `input` decoded by the helper; null if it cannot. */
async function decodeByHelper(input, from, to) {
  const copy = input.slice();
  return (await askHelper({ input: copy.buffer, from, to }, [copy.buffer]))?.tiles ?? null;
}

/** The helper's side: load the HEIC module (`warm`), or do the work asked for or say why not. */
async function helpWith(data) {
  try {
    if (data.ping) {
      await ready;
      self.postMessage({ id: data.id });
      return;
    }
    if (data.handoff) {
      await ready;
      const variants = renderHandoff(new Uint8Array(data.handoff));
      self.postMessage({ id: data.id, variants }, variants.map((v) => v.bytes.buffer));
      return;
    }
    const module = await heicModule();
    if (data.warm) return;
    const tiles = module.heicDecodeTiles(new Uint8Array(data.input), data.from, data.to);
    self.postMessage({ id: data.id, tiles }, [tiles.buffer]);
  } catch (e) {
    if (data.input || data.warm) heic = undefined;
    // Warming up, nobody waits: the request that follows tries again.
    if (!data.warm) self.postMessage({ id: data.id, error: String(e) });
  }
}

/** The variants of a big photo, the smaller ones made by the helper from this worker's display
 * pixels, and how many it made; a photo not worth sharing is processed here alone. */
async function processShared(input) {
  if (!helperUp) {
    // The first photo starts the helper and does not wait for it: the next one is shared.
    helperWorker();
    restHelper();
    return [process(input), 0];
  }
  const shared = prepareShared(input);
  if (!shared) return [process(input), 0];
  try {
    const handoff = shared.handoff();
    const theirs = askHelper({ handoff: handoff.buffer }, [handoff.buffer]);
    const display = shared.display(input);
    const helped = (await theirs)?.variants ?? null;
    return [[...display, ...(helped ?? shared.rest(input))], helped ? helped.length : 0];
  } finally {
    // After a trap the value is still borrowed and free() throws; its error must not replace
    // the trap's, which tells the page this worker is broken.
    try {
      shared.free();
    } catch {}
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
  if (data.warm || data.ping || data.input || data.handoff) return helpWith(data);
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
  } catch (e) {
    // Moved or deleted since it was chosen, or a cloud drive's placeholder not downloaded.
    self.postMessage({ error: `The file could not be read (${e.name ?? e}): it may have been moved, or not be on this device yet. Choose it again.`, broken: false });
    return;
  }
  try {
    if (needsHeic(input.subarray(0, 16))) {
      // The helper loads its module while this worker loads its own.
      if (data.share) {
        helperWorker().postMessage({ warm: true });
        restHelper();
      }
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
    const [variants, helped] =
      pipeline !== usual ? await processHeic(pipeline, input, data)
      : data.share && !data.only ? await processShared(input)
      : [pipeline.process(input, data.only), 0];
    const ms = performance.now() - started;
    self.postMessage({ variants, ms, memory: pipeline.memoryBytes(), helped }, variants.map((v) => v.bytes.buffer));
  } catch (e) {
    const broken = e instanceof WebAssembly.RuntimeError;
    const message = broken ? 'The photo could not be processed (the photo tool crashed). Try again, or choose another photo.' : e.message;
    self.postMessage({ error: message, broken });
  }
};
