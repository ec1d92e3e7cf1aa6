"""Running litmus tests on real engines (wasmtime, V8 via Node.js): docs/engines.md."""
