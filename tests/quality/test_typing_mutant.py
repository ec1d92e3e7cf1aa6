"""A broken typing rule (``I32_LOAD_AS_I64``: an i32 atomic load typed as i64) is caught by
preservation."""

from properties.configs import I32_LOAD_AS_I64, SOUND, Walk, config_typing
from properties.outcome import Fails, Holds, Vacuous
from properties.preservation import walk_preservation
from semantics.wasm.runtime import IllTyped
from semantics.wasm.syntax import I32, I64


def _i32_load_into_i64_local() -> Walk:
    """Well-typed only under the mutant rule: an i32 atomic load stored into an i64 local."""
    from semantics.wasm.runtime import Config, MemInst, Store, Thread, Value
    from semantics.wasm.syntax import Instr, MemArg, MemType

    code = (Instr("i32.const", (0,)), Instr("i32.atomic.load", (MemArg(),)),
            Instr("local.set", (1,)))
    c = Config(Store((MemInst(MemType(1, 1, True), None),), ()),
               (Thread((Value(I32, 0), Value(I64, 0)), (), code),), (1,), (0,), 1)
    return Walk(c, (0, 0, 0))


def test_the_typing_mutant_is_caught():
    # A fixed walk rather than a search: which generated walk exposes the mutant first depends
    # on the order successors come in, and the suite must not hang on that.
    w = _i32_load_into_i64_local()
    out = walk_preservation(w, I32_LOAD_AS_I64).outcome
    assert isinstance(out, Fails) and out.clause == "preservation"
    assert "type mismatch" in out.detail
    # the same walk says nothing under the sound rule: it is ill-typed there
    sound = walk_preservation(w, SOUND).outcome
    assert isinstance(sound, Vacuous | Holds)


def test_mutant_typing_types_the_load_as_i64():
    from semantics.wasm.runtime import Config, MemInst, Store, Thread
    from semantics.wasm.syntax import Instr, MemArg, MemType

    code = (Instr("i32.const", (0,)), Instr("i32.atomic.load", (MemArg(),)),
            Instr("local.set", (1,)))
    from semantics.wasm.runtime import Value

    c = Config(Store((MemInst(MemType(1, 1, True), None),), ()),
               (Thread((Value(I32, 0), Value(I64, 0)), (), code),), (1,), (0,), 1)
    config_typing(I32_LOAD_AS_I64)(c)
    try:
        config_typing(SOUND)(c)
    except IllTyped as e:
        assert "type mismatch" in str(e)
    else:
        raise AssertionError("the sound typing accepts an i32 load into an i64 local")
