// weakwasm's Node.js harness (docs/engines.md): runs a module compiled by
// metatheory/engines/compile.py on V8, one worker thread per litmus thread, all importing one
// shared WebAssembly.Memory. Usage: node harness.mjs JOB.json; JOB names the .wasm file and
// the layout (compile.Layout) and the JS threads (js_agent.JsAgent), which run as JS agents
// over the same memory. Prints one JSON line: {"counts": {record-hex: n}, "seconds": s}
// or {"error": "..."}.
import { readFileSync } from "node:fs";
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";

const COUNTER = 0, GENERATION = 64, ABORT = 128, DEPART = 192, TABLE = 256;

if (!isMainThread) {
  const { module, memory, index } = workerData;
  const run = workerData.agent ? jsAgent(workerData) : wasmThread(module, memory, index);
  const flags = new Int32Array(memory.buffer);
  parentPort.on("message", (k) => {
    if (k === 0) { process.exit(0); }
    try {
      run(k);
      parentPort.postMessage({ ok: true });
    } catch (e) {
      Atomics.store(flags, ABORT / 4, 1);
      const what = workerData.agent ? "threw" : "trapped";
      parentPort.postMessage({ ok: false, error: `thread ${index} ${what}: ${e.message}` });
    }
  });
} else {
  main().catch((e) => { console.log(JSON.stringify({ error: String(e && e.stack || e) })); process.exit(0); });
}

function wasmThread(module, memory, index) {
  const instance = new WebAssembly.Instance(module, { weakwasm: { mem: memory } });
  return instance.exports["t" + index];
}

// --- a JS thread (metatheory/engines/js_agent.py): the same iteration as compile._wrapper's --

const SPINS = 4096, WAIT_MS = 1, JITTER = 255;
let sink = 0;  // the idle loop's sum, kept so that the loop is not removed

// compile._barrier, line for line, on the same words
function barrier(flags, threads, departSpins) {
  const g = Atomics.load(flags, GENERATION / 4);
  let n = 0;
  if (Atomics.add(flags, COUNTER / 4, 1) === threads - 1) {
    Atomics.store(flags, COUNTER / 4, 0);
    Atomics.add(flags, GENERATION / 4, 1);
    Atomics.notify(flags, GENERATION / 4, threads);
  } else {
    while (Atomics.load(flags, GENERATION / 4) === g) {
      if (++n < SPINS) continue;
      if (Atomics.load(flags, ABORT / 4)) return false;
      Atomics.wait(flags, GENERATION / 4, g, WAIT_MS);
      n = 0;
    }
  }
  n = 0;
  const target = Math.imul(g + 1, threads) >>> 0;
  if (((Atomics.add(flags, DEPART / 4, 1) + 1) >>> 0) === target) {
    Atomics.notify(flags, DEPART / 4, threads);
    return true;
  }
  for (;;) {
    const seen = Atomics.load(flags, DEPART / 4);
    if ((seen >>> 0) >= target) return true;
    if (++n < departSpins) continue;
    Atomics.wait(flags, DEPART / 4, seen, WAIT_MS);
    n = 0;
  }
}

// compile._jitter: the same number of idle turns for the same iteration and thread
function jitter(k, who) {
  let n = ((Math.imul(Math.imul(k, 0x9E3779B1) ^ Math.imul(0x85EBCA77, who + 1), 0xC2B2AE3D)
            >>> 16) & JITTER);
  let s = 0;
  while (n !== 0) { s += n; n--; }
  sink ^= s;
}

function jsAgent({ memory, index, agent, job }) {
  const buffer = memory.buffer;
  const flags = new Int32Array(buffer);
  const words = new Uint32Array(buffer);
  const i32 = new Int32Array(buffer), u64 = new BigUint64Array(buffer);
  const f32 = new Float32Array(buffer), f64 = new Float64Array(buffer);
  let base = 0;
  // the typed-array constructors, relocated: a view of the test's memory at byte OFF is one
  // of the iteration's stride at base + OFF; an omitted length reaches the test memory's end
  const relocated = [Int8Array, Uint8Array, Int16Array, Uint16Array, Int32Array, Uint32Array,
                     BigInt64Array, BigUint64Array, Float32Array, Float64Array].map((T) =>
    function (b, off = 0, len = Math.floor((job.memory_bytes - off) / T.BYTES_PER_ELEMENT)) {
      return new T(b, base + off, len);
    });
  const body = new Function(...agent.params, agent.body);
  const args = [buffer, ...relocated, ...agent.args], returns = agent.returns;
  return (k) => {
    for (let j = 0; j < k; j++) {
      if (!barrier(flags, job.threads, job.depart_spins)) return;
      jitter(j, index);
      base = words[TABLE / 4 + j];
      const values = body(...args);
      const at = job.rec + j * job.record_size;
      for (let v = 0; v < returns.length; v++) {
        const [kind, off] = returns[v], x = values[v], a = at + off;
        if (kind === "trap") i32[a / 4] = x;
        else if (kind === "f32") f32[a / 4] = x;
        else if (kind === "f64") f64[a / 8] = x;
        else u64[a / 8] = BigInt.asUintN(64, typeof x === "bigint" ? x : BigInt(x));
      }
    }
  };
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
    const agent = job.agents.find((a) => a.thread === i);
    const data = { module, memory, index: i, agent, job: agent && job };
    const w = new Worker(new URL(import.meta.url), { workerData: data });
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
