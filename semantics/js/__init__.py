"""JavaScript threads of a litmus test: the subset (syntax), its parser, its translation to the
Wasm reduction (docs/js.md)."""
