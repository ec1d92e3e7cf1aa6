// weakwasm's Node.js harness (docs/engines.md): runs a module compiled by
// metatheory/engines/compile.py on V8, one worker thread per litmus thread, all importing one
// shared WebAssembly.Memory. Usage: node harness.mjs JOB.json; JOB names the .wasm file and
// the layout (compile.Layout). Prints one JSON line: {"counts": {record-hex: n}, "seconds": s}
// or {"error": "..."}.
import { readFileSync } from "node:fs";
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";

const COUNTER = 0, GENERATION = 64, ABORT = 128, DEPART = 192, TABLE = 256;

if (!isMainThread) {
  const { module, memory, index } = workerData;
  const instance = new WebAssembly.Instance(module, { weakwasm: { mem: memory } });
  const run = instance.exports["t" + index];
  const flags = new Int32Array(memory.buffer);
  parentPort.on("message", (k) => {
    if (k === 0) { process.exit(0); }
    try {
      run(k);
      parentPort.postMessage({ ok: true });
    } catch (e) {
      Atomics.store(flags, ABORT / 4, 1);
      parentPort.postMessage({ ok: false, error: `thread ${index} trapped: ${e.message}` });
    }
  });
} else {
  main().catch((e) => { console.log(JSON.stringify({ error: String(e && e.stack || e) })); process.exit(0); });
}

// mulberry32 and the shuffle: the same lines as compile.stride_order
function mulberry32(state) {
  state = (state + 0x6D2B79F5) >>> 0;
  let z = state;
  z = Math.imul(z ^ (z >>> 15), z | 1) >>> 0;
  z = (z ^ ((z + (Math.imul(z ^ (z >>> 7), z | 61) >>> 0)) >>> 0)) >>> 0;
  return [state, (z ^ (z >>> 14)) >>> 0];
}

function strideOrder(seed, batchNo, k) {
  const order = Array.from({ length: k }, (_, i) => i);
  let state = Number((BigInt(seed) * 0x9E3779B1n + BigInt(batchNo)) & 0xFFFFFFFFn) >>> 0;
  for (let i = k - 1; i > 0; i--) {
    let r;
    [state, r] = mulberry32(state);
    const j = r % (i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

async function main() {
  const job = JSON.parse(readFileSync(process.argv[2], "utf8"));
  const module = new WebAssembly.Module(readFileSync(job.wasm));
  const memory = new WebAssembly.Memory({ initial: job.pages, maximum: job.pages, shared: true });
  const bytes = new Uint8Array(memory.buffer);
  const words = new Uint32Array(memory.buffer);
  const flags = new Int32Array(memory.buffer);
  const init = job.init.map(([off, hex]) => [off, Uint8Array.from(Buffer.from(hex, "hex"))]);
  const workers = [];
  for (let i = 0; i < job.threads; i++) {
    const w = new Worker(new URL(import.meta.url), { workerData: { module, memory, index: i } });
    await new Promise((ok, bad) => { w.once("online", ok); w.once("error", bad); });
    workers.push(w);
  }
  const observe = new WebAssembly.Instance(module, { weakwasm: { mem: memory } }).exports.observe;
  const counts = new Map();
  let seconds = 0, left = job.iterations, batchNo = 0, error = null;
  const size = job.record_size;
  while (left > 0 && error === null) {
    const k = Math.min(left, job.batch);
    bytes.fill(0, job.loc, job.rec + job.batch * size);
    const order = strideOrder(job.seed, batchNo, k);
    for (let i = 0; i < k; i++) {
      const base = job.loc + order[i] * job.stride;
      words[TABLE / 4 + i] = base;
      for (const [off, bs] of init) bytes.set(bs, base + off);
    }
    for (const word of [COUNTER, GENERATION, ABORT, DEPART]) Atomics.store(flags, word / 4, 0);
    const t0 = process.hrtime.bigint();
    const replies = await Promise.all(workers.map((w) => new Promise((ok) => {
      w.once("message", ok);
      w.postMessage(k);
    })));
    seconds += Number(process.hrtime.bigint() - t0) / 1e9;
    const failed = replies.filter((r) => !r.ok);
    if (failed.length) { error = failed.map((r) => r.error).join("; "); break; }
    observe(k);
    for (let j = 0; j < k; j++) {
      const at = job.rec + j * size;
      const key = Buffer.from(memory.buffer, at, size).toString("hex");
      counts.set(key, (counts.get(key) || 0) + 1);
    }
    left -= k;
    batchNo++;
  }
  for (const w of workers) w.postMessage(0);
  const out = error !== null ? { error } : { counts: Object.fromEntries(counts), seconds };
  console.log(JSON.stringify(out));
}
