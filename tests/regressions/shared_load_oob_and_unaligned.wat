;; The same fault order on a shared memory, whose bounds check reads the length location.
(module
  (memory (export "mem") 1 1 shared)
  (func (export "run") (result i64)
    (i32.store8 (i32.const 0) (i32.const 1))
    (i64.atomic.load offset=65532 (i32.const 2))))
