// Runs a Rust test binary built for wasm32-unknown-unknown (no imports: that target's std
// prints nothing and a failed assertion traps) in Node's V8, the engine Chromium runs the
// photo worker with. Exits non-zero when a test fails. Usage: node run-wasm-tests.mjs FILE.wasm
import fs from 'node:fs';

const file = process.argv[2];
const { instance } = await WebAssembly.instantiate(fs.readFileSync(file), {});
const started = performance.now();
try {
  instance.exports.main(0, 0);
} catch (trap) {
  console.error(`${file}: a test failed (${trap.message}); run it natively for its message`);
  process.exit(1);
}
console.log(`${file}: every test passed as WebAssembly (${(performance.now() - started).toFixed(0)} ms)`);
