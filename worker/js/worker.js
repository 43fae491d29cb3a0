// One upload-pool worker: runs the Rust pipeline (vitrine_worker.wasm) on the files the page
// posts, and posts the encoded variants back, transferring their buffers (no copies).
// HEIC/HEIF photos go to the HEIC module (vitrine_worker_heic.wasm: the same pipeline with a
// HEIC decoder), fetched the first time one is picked, so the usual photo never pays for it.
// Message in:  { file: File | Blob, only?: string, stages?: true }
// Message out: { variants: [{ variant, bytes, width, height, contentType, sha256 }], ms, memory }
//          or: { stages: { decode, resize, orient, encode } }  (ms; benchmarks)
//          or: { error: string, broken: boolean }  (broken: the module trapped; replace the worker)
import init, { process, memoryBytes, stages, needsHeic } from './vitrine_worker.js';

const ready = init();
const usual = { process, memoryBytes, stages };
let heic;

/** The HEIC module, loaded once per worker. */
function heicModule() {
  heic ??= import('./vitrine_worker_heic.js').then(async (module) => {
    await module.default();
    return module;
  });
  return heic;
}

self.onmessage = async ({ data }) => {
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
    if (needsHeic(input.subarray(0, 16))) pipeline = await heicModule();
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
    const variants = pipeline.process(input, data.only);
    const ms = performance.now() - started;
    self.postMessage({ variants, ms, memory: pipeline.memoryBytes() }, variants.map((v) => v.bytes.buffer));
  } catch (e) {
    const broken = e instanceof WebAssembly.RuntimeError;
    const message = broken ? 'The photo could not be processed (the photo tool crashed). Try again, or choose another photo.' : e.message;
    self.postMessage({ error: message, broken });
  }
};
