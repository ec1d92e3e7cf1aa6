"""Litmus tests and the threads proposal's ``.wast`` litmus scripts, both ways: a script read as a
litmus test (``litmus_of_script``) and a litmus test written as a script (``print_wast``)."""

from __future__ import annotations

import os
from collections.abc import Mapping

from semantics.litmus import condition as cond
from semantics.litmus.format import LitmusError, LitmusTest
from semantics.text import wast
from semantics.text.wat import print_body
from semantics.wasm.syntax import Block, Func, If, Instr, MemType, Module, Program, ValType
from semantics.wasm.validation import ValidationError, program_ok

# --- the threads proposal's .wast litmus scripts ---------------------------------------------


def _wast_error(file: str, at: object, what: str, found: str) -> LitmusError:
    """An error at command ``at`` (its line and column; 1:1 for the script as a whole)."""
    line, col = getattr(at, "line", 0) or 1, getattr(at, "col", 0) or 1
    return LitmusError(file, line, col, f"expected {what}, found {found}")


def _exported_func(module: Module, name: str, file: str, at: object) -> Func:
    for ex in module.exports:
        if ex.kind == "func" and ex.name == name:
            n_imported = len(module.func_types) - len(module.funcs)
            if ex.index < n_imported:
                raise _wast_error(file, at, f"function {name!r} defined in the module",
                                  "an imported function")
            return module.funcs[ex.index - n_imported]
    raise _wast_error(file, at, f"a function exported as {name!r}", "no such export")


def _calls(nodes: tuple[object, ...]) -> bool:
    for n in nodes:
        if isinstance(n, Instr) and n.op == "call":
            return True
        if isinstance(n, Block) and _calls(n.body):
            return True
        if isinstance(n, If) and (_calls(n.then) or _calls(n.else_)):
            return True
    return False


def _thread_func(t: wast.Thread, file: str) -> Func:
    module: Module | None = None
    func: Func | None = None
    for c in t.commands:
        if isinstance(c, wast.ModuleCmd):
            module = c.module
        elif isinstance(c, wast.Invoke) and module is not None and func is None:
            if c.args:
                raise _wast_error(file, c, "an invoke without arguments in a litmus thread",
                                  f"{len(c.args)} arguments")
            func = _exported_func(module, c.name, file, c)
        elif not isinstance(c, wast.Register):
            raise _wast_error(file, c if getattr(c, "line", 0) else t,
                              f"only register, module and invoke commands in thread {t.name}",
                              f"a {type(c).__name__} command")
    if func is None or module is None:
        raise _wast_error(file, t, f"a module and an (invoke ...) in thread {t.name}",
                          "none" if module is None else "no invoke")
    if _calls(func.body):
        raise _wast_error(file, t, f"a thread function without calls in thread {t.name}",
                          "a call")
    return func


def _expected_prop(results: tuple[wast.Result, ...], obs: int, file: str,
                   at: object) -> cond.Prop:
    if len(results) != 1:
        raise _wast_error(file, at, "one expected result of the check function",
                          f"{len(results)}")
    r = results[0]
    alts = r.alternatives if isinstance(r, wast.Either) else (r,)
    prop: cond.Prop | None = None
    for a in alts:
        if not isinstance(a, wast.Const):
            raise _wast_error(file, at, "an expected constant result", "a NaN pattern")
        atom = cond.Atom(cond.Reg(obs, "result"), a.bits)
        prop = atom if prop is None else cond.Or(prop, atom)
    if prop is None:
        raise _wast_error(file, at, "an expected result", "(either)")
    return prop


def litmus_of_script(script: wast.Script, name: str, file: str = "<wast>") -> LitmusTest:
    """A threads-proposal litmus script as a litmus test: each ``thread`` becomes a litmus
    thread, the function of the final ``assert_return`` runs as the final observer, and the
    condition is ``forall`` its asserted result. The observer's locals are printed in states."""
    memory: MemType | None = None
    data: tuple[tuple[int, tuple[int, ...]], ...] = ()
    funcs: list[Func] = []
    modules: dict[str, Module] = {}
    last: Module | None = None
    check: tuple[Func, cond.Prop] | None = None
    mem_cmd: wast.ModuleCmd | None = None
    thread_cmds: list[wast.Thread] = []
    check_cmd: wast.AssertReturn | None = None
    n_threads = sum(isinstance(c, wast.Thread) for c in script.commands)
    for c in script.commands:
        if isinstance(c, wast.ModuleCmd):
            last = c.module
            if c.module.name:
                modules[c.module.name] = c.module
            if memory is None and c.module.memories:
                memory, data, mem_cmd = c.module.memories[0], c.module.data, c
        elif isinstance(c, wast.Thread):
            funcs.append(_thread_func(c, file))
            thread_cmds.append(c)
        elif isinstance(c, wast.AssertReturn) and isinstance(c.action, wast.Invoke):
            target = modules.get(c.action.module or "", last) if c.action.module else last
            if target is None:
                raise _wast_error(file, c, "a module defined before the assert_return", "none")
            f = _exported_func(target, c.action.name, file, c)
            check = (f, _expected_prop(c.results, n_threads, file, c))
            check_cmd = c
        elif not isinstance(c, (wast.Register, wast.Wait)):
            raise _wast_error(file, c,
                              "a litmus script: modules, register, thread, wait, assert_return",
                              f"a {type(c).__name__} command")
    if memory is None or not memory.shared:
        raise _wast_error(file, mem_cmd, "a module defining a shared memory",
                          "none" if memory is None else "an unshared memory")
    if not funcs:
        raise _wast_error(file, None, "at least one (thread ...)", "none")
    if check is None:
        raise _wast_error(file, None, "a final (assert_return (invoke ...) ...) check", "none")
    observer_func, prop = check
    program = Program(memory, tuple(funcs) + (observer_func,), tuple(range(len(funcs))), data)
    try:
        program_ok(program)
    except ValidationError as e:
        where: object = thread_cmds[e.thread] if e.thread is not None else check_cmd
        if "memory" in e.reason or "data segment" in e.reason:
            where = mem_cmd
        raise _wast_error(file, where, "well-typed functions", str(e)) from e
    n_locals = len(observer_func.type.params) + len(observer_func.locals)
    names = observer_func.local_names or (None,) * n_locals
    extra = tuple(cond.Reg(len(funcs), (n or str(i)).removeprefix("$"))
                  for i, n in enumerate(names))
    return LitmusTest(name=name, comment=f"from {os.path.basename(file)}", program=program,
                      names=(), condition=cond.Condition(cond.FORALL, prop),
                      observer=len(funcs), extra=extra, file=file)


RESULT_BASE = 0xFF00
"""Where an emitted ``.wast`` script's threads store their observed locals for the check."""

_LOAD = {1: "i32.atomic.load8_u", 2: "i32.atomic.load16_u", 4: "i32.atomic.load",
         8: "i64.atomic.load"}
_PLAIN_LOAD = {1: "i32.load8_u", 2: "i32.load16_u", 4: "i32.load", 8: "i64.load"}


def _reg_slots(t: LitmusTest) -> dict[cond.Reg, tuple[int, ValType, int]]:
    """Each observed local: (slot address, type, local index)."""
    slots: dict[cond.Reg, tuple[int, ValType, int]] = {}
    addr = RESULT_BASE
    for o in t.watched:
        if isinstance(o, cond.Status):
            raise LitmusError(t.file or "<litmus>", 1, 1,
                              f"expected no {o.name} observable in a test emitted as .wast "
                              f"(a script cannot record {o})")
        if isinstance(o, cond.Reg):
            func = t.program.funcs[t.program.threads[o.thread]]
            idx = _local_index(func, o.name)
            ty = (func.type.params + func.locals)[idx]
            slots[o] = (addr, ty, idx)
            addr += 8
    return slots


def _local_index(func: Func, name: str) -> int:
    for i, n in enumerate(func.local_names):
        if n is not None and n.removeprefix("$") == name:
            return i
    return int(name)


def _prop_wat(p: cond.Prop, slots: Mapping[cond.Reg, tuple[int, ValType, int]]) -> str:
    if isinstance(p, cond.Const):
        return f"(i32.const {int(p.value)})"
    if isinstance(p, cond.Not):
        return f"(i32.eqz {_prop_wat(p.arg, slots)})"
    if isinstance(p, cond.And):
        return f"(i32.and {_prop_wat(p.left, slots)} {_prop_wat(p.right, slots)})"
    if isinstance(p, cond.Or):
        return f"(i32.or {_prop_wat(p.left, slots)} {_prop_wat(p.right, slots)})"
    if isinstance(p, cond.Implies):
        return f"(i32.or (i32.eqz {_prop_wat(p.left, slots)}) {_prop_wat(p.right, slots)})"
    loc = p.loc
    if isinstance(loc, cond.Reg):
        addr, ty, _ = slots[loc]
        it = "i64" if ty.bits == 64 else "i32"
        return f"({it}.eq ({it}.load (i32.const {addr})) ({it}.const {p.value}))"
    if isinstance(loc, cond.Mem):
        op = _LOAD[loc.width] if loc.addr % loc.width == 0 else _PLAIN_LOAD[loc.width]
        it = "i64" if loc.width == 8 else "i32"
        return f"({it}.eq ({op} (i32.const {loc.addr})) ({it}.const {p.value}))"
    raise TypeError(loc)


def _store_local(addr: int, ty: ValType, idx: int) -> str:
    get = f"(local.get {idx})"
    if ty is ValType.F32:
        get = f"(i32.reinterpret_f32 {get})"
    if ty is ValType.F64:
        get = f"(i64.reinterpret_f64 {get})"
    it = "i64" if ty.bits == 64 else "i32"
    return f"({it}.store (i32.const {addr}) {get})"


def _wat_bytes(bs: tuple[int, ...]) -> str:
    return "".join("\\" + format(b, "02x") for b in bs)


def print_wast(t: LitmusTest) -> str:
    """The test as a threads-proposal script (the shape of MP.wast): each thread stores the
    locals the condition observes at ``RESULT_BASE``; ``$Check`` evaluates the proposition.
    ``forall P`` asserts P; ``~exists P`` and ``exists P`` assert ``~P`` (for ``exists``, a
    failing assertion is the witness); under ``filter F``, ``F => P`` and ``~(F /\\ P)``."""
    if t.observer is not None:
        raise LitmusError(t.file or "<litmus>", 1, 1,
                          "expected a .litmus test (this one already comes from a script)")
    for i in t.js_threads:
        raise LitmusError(t.file or "<litmus>", 1, 1,
                          f"expected Wasm threads only (thread {i} is a JS thread, and a .wast "
                          "script has no JS)")
    slots = _reg_slots(t)
    m = t.program.memory
    mem = f"{m.min} {m.max} shared"
    data = "".join(f'\n  (data (i32.const {a}) "{_wat_bytes(bs)}")' for a, bs in t.program.data)
    out = [f";; {t.name}" + (f": {t.comment}" if t.comment else ""),
           f";; generated by weakwasm from the litmus condition {t.condition}",
           f'(module $Mem\n  (memory (export "shared") {mem}){data}\n)', '(register "mem")', ""]
    for i, fi in enumerate(t.program.threads):
        func = t.program.funcs[fi]
        stores = [_store_local(a, ty, idx) for o, (a, ty, idx) in slots.items()
                  if o.thread == i]
        body = print_body(func).splitlines()
        if stores:
            body += [";; store results for checking", *stores]
        inner = "\n".join("      " + ln for ln in body)
        out.append(f'(thread $T{i} (shared (module $Mem))\n  (register "mem" $Mem)\n'
                   f'  (module\n    (memory (import "mem" "shared") {mem})\n'
                   f'    (func (export "run")\n{inner}\n    )\n  )\n  (invoke "run")\n)\n')
    out += [f"(wait $T{i})" for i in range(len(t.program.threads))]
    q = t.condition.quantifier
    claim = t.condition.prop
    if t.filter is not None:  # a run the filter discards passes the assertion
        claim = cond.Implies(t.filter, claim) if q == cond.FORALL else cond.And(t.filter, claim)
    prop = claim if q == cond.FORALL else cond.Not(claim)
    note = {cond.FORALL: ";; every run satisfies the condition",
            cond.NOT_EXISTS: ";; no run exhibits the outcome",
            cond.EXISTS: ";; exists: a run on which this assertion fails exhibits the outcome"}[q]
    out += ["", f'(module $Check\n  (memory (import "mem" "shared") {mem})\n'
            f'  (func (export "check") (result i32)\n    {_prop_wat(prop, slots)}\n  )\n)',
            note, '(assert_return (invoke $Check "check") (i32.const 1))']
    return "\n".join(out) + "\n"
