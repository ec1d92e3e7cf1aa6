"""The Wasm threads fragment: syntax, validation, runtime, reduction, soundness judgements."""
