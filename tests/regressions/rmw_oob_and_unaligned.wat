;; Found by test_weakwasm_agrees_with_wasmtime (shrunk). The access at 65535 is both out of
;; bounds and misaligned: wasmtime and the spec interpreter trap with "unaligned atomic" ([T]'s
;; prose checks alignment before the length); weakwasm's step rule said "-oob".
(module
  (memory (export "mem") 1 1)
  (func (export "run") (result i32)
    (i32.atomic.rmw.add (i32.const 65535) (i32.const 0))))
