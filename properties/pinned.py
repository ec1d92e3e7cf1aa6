"""Every counterexample hunt has found, as data, so that property modules pin them with
``@example``: (shape rows per thread, reads-from per reading access). Rows are
``(kind, ord, offset, width, value)``; writes carry their number in the low byte unless
``every_byte``."""

from __future__ import annotations

from properties.graphs import Access, Graph, Shape, build
from properties.strategies import program_order
from semantics.memory.events import Kind, Ord

W, R, X = Kind.WR, Kind.RD, Kind.RMW
U, S = Ord.UNORD, Ord.SEQCST


def graph(threads: tuple[tuple[tuple[Kind, Ord, int, int, int], ...], ...],
          sources: tuple[tuple[int, ...], ...], every_byte: bool = False) -> Graph:
    shape = Shape(tuple(tuple(Access(k, o, off, w, v, every_byte) for k, o, off, w, v in t)
                        for t in threads))
    return build(shape, program_order(shape), sources, keep_tot=False)


# sc_drf under es2017, wasm-no-ddagger, wasm-es2017-mo: the (‡) shape on one location
DDAGGER = graph((((W, S, 0, 4, 1),), ((W, S, 0, 4, 2), (R, S, 0, 4, 0), (R, U, 0, 4, 0))),
                ((1, 1, 1, 1), (2, 2, 2, 2)))
# sc_drf under wasm-no-dagger: an SC read of INIT after an SC write
DAGGER = graph((((W, S, 0, 4, 1),), ((R, S, 0, 4, 0),)), ((0, 0, 0, 0),))
# sc_drf under wasm-no-sc-last-visible
CLAUSE1 = graph((((W, S, 0, 4, 1),), ((W, S, 0, 4, 2),), ((R, S, 0, 4, 0),)), ((2, 2, 2, 2),))
# #1354 as reported (tc39/ecma262 issue #1354; [P] Fig.18; table/Fig18)
ISSUE_1354 = graph(
    (((W, S, 0, 4, 1), (W, S, 4, 4, 2)),
     ((W, S, 0, 4, 3), (R, S, 4, 4, 0), (R, U, 0, 4, 0), (R, U, 0, 4, 0))),
    ((2, 2, 2, 2), (3, 3, 3, 3), (1, 1, 1, 1)))
# sc_single_thread under wasm-no-init-hb and wasm-no-hb-consistent
INIT_READ = graph((((R, U, 0, 4, 0),),), ((0, 0, 0, 0),))
OWN_STORE = graph((((W, U, 0, 4, 1), (X, S, 0, 4, 2)),), ((0, 0, 0, 0),))

SC_DRF_PINS = (DDAGGER, DAGGER, CLAUSE1, ISSUE_1354)
