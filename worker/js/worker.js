// One upload-pool worker: runs the Rust pipeline (vitrine_worker.wasm) on the files the page
// posts, and posts the encoded variants back, transferring their buffers (no copies).
// Message in:  { file: File | Blob, only?: string, stages?: true }
// Message out: { variants: [{ variant, bytes, width, height, contentType, sha256 }], ms, memory }
//          or: { stages: { decode, resize, orient, encode } }  (ms; benchmarks)
//          or: { error: string, broken: boolean }  (broken: the module trapped; replace the worker)
import init, { process, memoryBytes, stages } from './vitrine_worker.js';

const ready = init();

self.onmessage = async ({ data }) => {
  try {
    await ready;
  } catch (e) {
    self.postMessage({ error: `The photo tool could not load (${e}). Reload the page.`, broken: true });
    return;
  }
  try {
    const input = new Uint8Array(await data.file.arrayBuffer());
    if (data.stages) {
      self.postMessage({ stages: stages(input, () => performance.now()) });
      return;
    }
    const started = performance.now();
    const variants = process(input, data.only);
    const ms = performance.now() - started;
    self.postMessage({ variants, ms, memory: memoryBytes() }, variants.map((v) => v.bytes.buffer));
  } catch (e) {
    const broken = e instanceof WebAssembly.RuntimeError;
    const message = broken ? 'The photo could not be processed (the photo tool crashed). Try again, or choose another photo.' : e.message;
    self.postMessage({ error: message, broken });
  }
};
