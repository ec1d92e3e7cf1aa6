"""The classic tests of docs/model.md, built as candidate executions by hand."""

from __future__ import annotations

from semantics.memory.events import Execution
from tests.common.builder import Exe, X, Y, Z


def mp_atomic() -> Execution:
    """classic/MP+sc: st.sc x 42; st.sc y 1 || ld.sc y = 1; ld.sc x = 0."""
    b = Exe()
    b.store(0, X, 42, sc=True)
    wy = b.store(0, Y, 1, sc=True)
    b.load(1, Y, 1, wy, sc=True)
    b.load(1, X, 0, 0, sc=True)
    return b.build()


def sb_atomic() -> Execution:
    """classic/SB+sc (0,0): st.sc x 1; ld.sc y = 0 || st.sc y 1; ld.sc x = 0."""
    b = Exe()
    b.store(0, X, 1, sc=True)
    b.load(0, Y, 0, 0, sc=True)
    b.store(1, Y, 1, sc=True)
    b.load(1, X, 0, 0, sc=True)
    return b.build()


def lb_atomic() -> Execution:
    """classic/LB+sc (1,1): ld.sc y = 1; st.sc x 1 || ld.sc x = 1; st.sc y 1."""
    b = Exe()
    b.load(0, Y, 1, 4, sc=True)
    wx = b.store(0, X, 1, sc=True)
    b.load(1, X, 1, wx, sc=True)
    b.store(1, Y, 1, sc=True)
    return b.build()


def two_grows(paper: bool = False) -> Execution:
    """table/2grow: two concurrent successful memory.grow 1 from the same length."""
    b = Exe(paper=paper)
    b.grow(0, 1, 0)
    b.grow(1, 1, 0)
    return b.build()


def fig18() -> Execution:
    """table/Fig18, [P] Fig.18 / ecma262 #1354: W1: st.sc x 1; Wy: st.sc y 1 || W2: st.sc x 2;
    ld.sc y = 1; R1: ld x = 2; R2: ld x = 1."""
    b = Exe()
    w1 = b.store(0, X, 1, sc=True)
    wy = b.store(0, Y, 1, sc=True)
    w2 = b.store(1, X, 2, sc=True)
    b.load(1, Y, 1, wy, sc=True)
    b.load(1, X, 2, w2)
    b.load(1, X, 1, w1)
    return b.build()


def dagger_js() -> Execution:
    """table/Dagger: a: st x 1; b: st.sc y 1; c: rmw.sc x (reads a) || d: ld.sc y (reads b);
    e: st.sc x 2; f: ld.sc x (reads c)."""
    b = Exe()
    a = b.store(0, X, 1)
    wb = b.store(0, Y, 1, sc=True)
    c = b.rmw(0, X, 1, 5, a)
    b.load(1, Y, 1, wb, sc=True)
    b.store(1, X, 2, sc=True)
    b.load(1, X, 5, c, sc=True)
    return b.build()


def stephen() -> Execution:
    """table/Stephen, ARMv8 'Stephen': a: st.sc x 1; b: st.sc x 2; c: st y 1; d: st.sc z 1 ||
    e: st.sc y 2; r1 = ld.sc x = 1; r2 = ld.sc z = 1; r3 = ld.sc y = 2."""
    b = Exe()
    a = b.store(0, X, 1, sc=True)
    b.store(0, X, 2, sc=True)
    b.store(0, Y, 1)
    d = b.store(0, Z, 1, sc=True)
    e = b.store(1, Y, 2, sc=True)
    b.load(1, X, 1, a, sc=True)
    b.load(1, Z, 1, d, sc=True)
    b.load(1, Y, 2, e, sc=True)
    return b.build()


def mp_popl_poap() -> Execution:
    """table/MP+popl+poap: st x 1; st.sc y 1 || ld.sc y = 1; ld x = 0."""
    b = Exe()
    b.store(0, X, 1)
    wy = b.store(0, Y, 1, sc=True)
    b.load(1, Y, 1, wy, sc=True)
    b.load(1, X, 0, 0)
    return b.build()


def mp_popl_poap_mixed() -> Execution:
    """table/MP+popl+poap-mixed: as table/MP+popl+poap, but the flag is a 1-byte st.sc and the
    sc read covers 2 bytes (one from the flag write, one from INIT): ranges differ, no sync."""
    b = Exe()
    b.store(0, X, 1)
    wy = b.store(0, Y, 1, size=1, sc=True)
    b.load(1, Y, 1, (wy, 0), size=2, sc=True)
    b.load(1, X, 0, 0)
    return b.build()


def corr_mixed(store_size: int) -> Execution:
    """Rows 20/21: i32.atomic.store{16,8} 2 1 || r0 = i32.atomic.load8_u 2 = 1; r1 = ... = 0."""
    b = Exe()
    w = b.store(0, 2, 1, size=store_size, sc=True)
    b.load(1, 2, 1, w, size=1, sc=True)
    b.load(1, 2, 0, 0, size=1, sc=True)
    return b.build()


def torn_i32(is_float: bool = False) -> Execution:
    """table/NoTear: i32.store 0 0x11111111 || i32.store 0 0x22222222 || r = i32.load 0 = 0x11112222
    (is_float: the same with f32 accesses, which carry no NOTEARS in [T])."""
    b = Exe()
    w1 = b.store(0, 0, 0x11111111, is_float=is_float)
    w2 = b.store(1, 0, 0x22222222, is_float=is_float)
    b.load(2, 0, 0x11112222, (w2, w2, w1, w1), is_float=is_float)
    return b.build()


def torn_with_init() -> Execution:
    """table/Tear+init: i32.store 0 0x11111111 || r = i32.load 0 = 0x00001111 (two bytes from
    INIT)."""
    b = Exe()
    w = b.store(0, 0, 0x11111111)
    b.load(1, 0, 0x1111, (w, w, 0, 0))
    return b.build()


def torn_i64() -> Execution:
    """table/Tear64: i64.store 0 v || i64.store 0 v' || i64.load 0 mixes v and v'."""
    b = Exe()
    w1 = b.store(0, 0, 0x1111111111111111, size=8)
    w2 = b.store(1, 0, 0x2222222222222222, size=8)
    b.load(2, 0, 0x1111111122222222, (w2,) * 4 + (w1,) * 4, size=8)
    return b.build()
