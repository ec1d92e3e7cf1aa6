"""The single-threaded ``.wast`` runner: the threads proposal's atomic.wast, and each command."""

from __future__ import annotations

import io
from pathlib import Path

from metatheory.conformance import main, render, run_file, run_script
from semantics.text import wast

ASSERTION_TYPES = (wast.AssertReturn, wast.AssertTrap, wast.AssertExhaustion,
                   wast.AssertInvalid, wast.AssertMalformed, wast.AssertUnlinkable)


def test_atomic_wast_every_assertion_passes(threads_tests: Path) -> None:
    path = threads_tests / "atomic.wast"
    commands = wast.parse_script(path.read_text()).commands
    n = sum(isinstance(c, ASSERTION_TYPES) for c in commands)
    assert n > 300  # 154 assert_return, 55 assert_trap, 93 assert_invalid
    result = run_file(path)
    assert (result.passed, result.failed, result.unsupported) == (n, 0, 0), result.failures
    assert render(result, str(path)) == f"{n} passed, 0 failed"


def test_atomic_wast_wrong_expectations_fail_with_their_line(threads_tests: Path) -> None:
    src = (threads_tests / "atomic.wast").read_text()
    lines = src.splitlines()
    # the first expected i32 result, the first trap message, the first validation message
    edits = {
        '(i32.const 0x03020100))': '(i32.const 0x03020101))',
        '"unaligned atomic")': '"out of bounds memory access")',
        '"atomic alignment must be natural"': '"type mismatch"',
    }
    for old, new in edits.items():
        line = next(i for i, s in enumerate(lines) if old in s)
        mutated = "\n".join(lines[:line] + [lines[line].replace(old, new)] + lines[line + 1:])
        result = run_script(mutated)
        assert result.failed == 1, old
        (failure,) = result.failures
        assert failure.line >= line + 1 - 8 and failure.line <= line + 1, (failure, line)


MEMORY_SCRIPT = """
(module $A
  (memory (export "m") 1 2 SHARED)
  (func (export "get") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "size") (result i32) (memory.size)))
(register "a" $A)
(module $B
  (memory (import "a" "m") 1 2 SHARED)
  (data (i32.const 8) "\\2a")
  (func (export "put") (param i32 i32) (i32.store (local.get 0) (local.get 1))))
(invoke $B "put" (i32.const 4) (i32.const 7))
(assert_return (invoke $A "get" (i32.const 4)) (i32.const 7))
(assert_return (invoke $A "get" (i32.const 8)) (i32.const 42))
(assert_return (invoke $A "grow" (i32.const 1)) (i32.const 1))
(assert_return (invoke $A "size") (i32.const 2))
(invoke $B "put" (i32.const 65536) (i32.const 9))
(assert_return (invoke $A "get" (i32.const 65536)) (i32.const 9))
(assert_return (invoke $A "grow" (i32.const 1)) (i32.const -1))
(assert_trap (invoke $A "get" (i32.const 131072)) "out of bounds memory access")
(assert_unlinkable (module (memory (import "a" "m") 3 3 SHARED)) "incompatible import type")
(assert_unlinkable (module (memory (import "a" "nope") 1 2 SHARED)) "unknown import")
(assert_unlinkable (module (memory (import "b" "m") 1 2 SHARED)) "unknown import")
(assert_unlinkable (module (func (import "a" "m"))) "incompatible import type")
"""


def test_registered_memories_are_shared_between_instances() -> None:
    for shared in ("shared", ""):
        result = run_script(MEMORY_SCRIPT.replace("SHARED", shared))
        assert (result.passed, result.failed) == (11, 0), (shared, result.failures)
    # an unshared memory cannot be imported as a shared one, nor the other way round
    mixed = MEMORY_SCRIPT.replace("1 2 SHARED)\n  (data", "1 2)\n  (data").replace("SHARED",
                                                                                  "shared")
    result = run_script(mixed)
    assert result.failures and result.failures[0].command == "module"
    assert "incompatible import type" in result.failures[0].message


RESULTS_SCRIPT = """
(module
  (memory 1 1)
  (func (export "f32") (param i32) (result f32) (f32.reinterpret_i32 (local.get 0)))
  (func (export "two") (result i32 i64) (i32.const 1) (i64.const -1))
  (func (export "trap") (unreachable))
  (func (export "loop") (loop (br 0))))
(assert_return (invoke "f32" (i32.const 0x7fc00000)) (f32.const nan:canonical))
(assert_return (invoke "f32" (i32.const 0xffc00000)) (f32.const nan:canonical))
(assert_return (invoke "f32" (i32.const 0x7fe00000)) (f32.const nan:arithmetic))
(assert_return (invoke "f32" (i32.const 0x3f800000)) (f32.const 1.0))
(assert_return (invoke "f32" (i32.const 2)) (either (f32.const 1.0) (f32.const 0x1p-148)))
(assert_return (invoke "two") (i32.const 1) (i64.const 0xffffffffffffffff))
(assert_trap (invoke "trap") "unreachable")
(assert_invalid (module (func (result i32) (i64.const 0))) "type mismatch")
(assert_malformed (module quote "(func (i32.nonsense))") "unknown operator")
(assert_trap (module (memory 1) (data (i32.const 65535) "ab")) "out of bounds memory access")
"""

WRONG_RESULTS = """
(module
  (func (export "f32") (param i32) (result f32) (f32.reinterpret_i32 (local.get 0)))
  (func (export "two") (result i32 i64) (i32.const 1) (i64.const -1)))
(assert_return (invoke "f32" (i32.const 0x7fe00000)) (f32.const nan:canonical))
(assert_return (invoke "f32" (i32.const 0x7fa00000)) (f32.const nan:arithmetic))
(assert_return (invoke "f32" (i32.const 0x3f800001)) (f32.const 1.0))
(assert_return (invoke "f32" (i32.const 0)) (either (f32.const 1.0) (f32.const 2.0)))
(assert_return (invoke "two") (i32.const 1))
(assert_return (invoke "two") (i32.const 1) (i32.const 1))
(assert_trap (invoke "two") "unreachable")
(assert_invalid (module (func (result i32) (i32.const 0))) "type mismatch")
(assert_malformed (module quote "(func (nop))") "unknown operator")
(assert_unlinkable (module) "unknown import")
(assert_return (invoke "missing"))
(assert_return (invoke "two" (i32.const 0)))
(assert_return (get "g") (i32.const 0))
(assert_trap (module (memory 1) (data (i32.const 0) "ab")) "out of bounds memory access")
"""


def test_results_nan_patterns_either_and_module_assertions_pass() -> None:
    result = run_script(RESULTS_SCRIPT)
    assert (result.passed, result.failed) == (10, 0), result.failures


def test_each_wrong_assertion_fails_on_its_own_line() -> None:
    result = run_script(WRONG_RESULTS)
    assert (result.passed, result.failed) == (0, 14)
    assert [f.line for f in result.failures] == list(range(5, 19))


def test_a_step_bound_ends_a_loop_that_never_ends() -> None:
    src = '(module (func (export "loop") (loop (br 0))))\n(invoke "loop")'
    result = run_script(src, max_steps=500)
    assert result.failed == 1 and "500 steps" in result.failures[0].message


WAITS = """
(module $S
  (memory 1 1 shared)
  (func (export "wait") (param i64) (result i32)
    (memory.atomic.wait32 (i32.const 0) (i32.const 0) (local.get 0)))
  (func (export "wait-other") (result i32)
    (memory.atomic.wait32 (i32.const 0) (i32.const 1) (i64.const -1)))
  (func (export "notify") (result i32) (memory.atomic.notify (i32.const 0) (i32.const 5))))
(assert_return (invoke "wait" (i64.const 10)) (i32.const 2))
(assert_return (invoke "wait-other") (i32.const 1))
(assert_return (invoke "notify") (i32.const 0))
(assert_return (invoke "wait" (i64.const -1)) (i32.const 0))
(module (memory 1 1)
  (func (export "wait") (result i32)
    (memory.atomic.wait32 (i32.const 0) (i32.const 0) (i64.const 0))))
(assert_trap (invoke "wait") "expected shared memory")
"""


def test_wait_and_notify_of_a_lone_thread() -> None:
    """Timeouts, mismatches and notify with no waiter run; a wait nobody can end is
    unsupported (never a pass, never a spurious wake-up)."""
    result = run_script(WAITS)
    assert (result.passed, result.failed, result.unsupported) == (4, 0, 1), result
    assert result.skipped[0].line == 12 and "waits forever" in result.skipped[0].message


def test_threads_run_in_one_interleaving(threads_tests: Path) -> None:
    """The proposal's litmus scripts: their threads run round robin, the check passes."""
    for name in ("MP", "SB_atomic", "thread", "unlinkable"):
        result = run_file(threads_tests / f"{name}.wast")
        assert result.failed == result.unsupported == 0 and result.passed >= 1, (name, result)


def test_wait_notify_wast_every_assertion_counted_and_passing(threads_tests: Path) -> None:
    path = threads_tests / "wait_notify.wast"
    commands = wast.parse_script(path.read_text()).commands
    n = sum(isinstance(c, ASSERTION_TYPES) for t in commands if isinstance(t, wast.Thread)
            for c in t.commands)
    result = run_file(path)
    assert n == 3 and (result.passed, result.failed, result.unsupported) == (n, 0, 0), result


NOTIFIER = """(module $M (memory (export "m") 1 1 shared))
(thread $W (shared (module $M))
  (register "m" $M)
  (module (memory (import "m" "m") 1 1 shared)
    (func (export "w") (param i64) (result i32)
      (memory.atomic.wait32 (i32.const 0) (i32.const 0) (local.get 0))))
  (assert_return (invoke "w" (i64.const -1)) (i32.const 0))
  (assert_return (invoke "w" (i64.const 5)) (i32.const 2)))
(thread $N (shared (module $M))
  (register "m" $M)
  (module (memory (import "m" "m") 1 1 shared)
    (func (export "n") (result i32) (memory.atomic.notify (i32.const 0) (i32.const 2)))
    (func (export "spin") (result i32)
      (loop $l (br_if $l (i32.eqz (memory.atomic.notify (i32.const 0) (i32.const 2)))))
      (i32.const 1)))
  (assert_return (invoke "spin") (i32.const 1)))
(wait $W)
(wait $N)
(thread $D (shared (module $M))
  (register "m" $M)
  (module (memory (import "m" "m") 1 1 shared)
    (func (export "w") (result i32)
      (memory.atomic.wait32 (i32.const 0) (i32.const 0) (i64.const -1))))
  (assert_return (invoke "w") (i32.const 0)))
(wait $D)
"""


def test_a_notify_wakes_a_waiter_a_finite_wait_times_out_and_a_lost_wait_is_unsupported() -> None:
    """$N spins until its notify wakes $W's infinite wait (returning 1, the number woken); $W's
    second wait has nobody to wake it and times out; $D's wait has neither: unsupported."""
    result = run_script(NOTIFIER)
    assert (result.passed, result.failed, result.unsupported) == (3, 0, 1), result
    assert result.skipped[0].line == 24 and "waits forever" in result.skipped[0].message


def test_main_prints_counts_failures_and_parse_errors(tmp_path: Path) -> None:
    good = tmp_path / "good.wast"
    good.write_text(RESULTS_SCRIPT)
    bad = tmp_path / "bad.wast"
    bad.write_text(WRONG_RESULTS)
    broken = tmp_path / "broken.wast"
    broken.write_text('(module)\n(assert_return (invoke "f" (i32.const x)))')
    out, err = io.StringIO(), io.StringIO()
    assert main([str(good)], out, err) == 0
    assert out.getvalue() == "10 passed, 0 failed\n"
    out = io.StringIO()
    assert main([str(bad)], out, err) == 1
    text = out.getvalue()
    assert text.endswith("0 passed, 14 failed\n")
    assert f"{bad}:5: assert_return: expected (f32.const nan:canonical)" in text
    assert main([str(broken)], io.StringIO(), err) == 2
    assert err.getvalue().startswith(f"{broken}:2:")
    err = io.StringIO()
    assert main([str(tmp_path / "missing.wast")], io.StringIO(), err) == 2
    assert err.getvalue().startswith(f"{tmp_path / 'missing.wast'}:1:1: expected a readable file")
