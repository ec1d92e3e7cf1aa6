"""The wait queues of [T] relaxed.rst's suspension consistency: which events change a location's
queue, the run of a queue over an order of them (the axiom ``suspensions-consistent`` of
``semantics.memory.model``), and every order such a run accepts (what the litmus engine pairs).

Each location ``reg[i]`` has a queue of waiting threads. Its *suspension events* are those with
a ``wait``, ``woken``, ``timeout`` or ``notify`` action on it ([T] suspension_reg^i). An
execution's witness ``Execution.suspensions`` lists them per location in one order, the
restriction of tot to them, which [T] asks hb to contain ("totally ordered by hb"); the queue
runs over that order ([T] suspensionsconsistentwith):

- ``wait`` enqueues its event;
- ``timeout`` dequeues its thread's wait, from anywhere in the queue; its wait's timeout is
  finite ([T] instructions.rst, WAITX ``n >= 0``);
- ``notify n k`` is followed at once, in the order, by the ``woken`` events of the n oldest
  waiters, the youngest of them first (the letter of [T]: ``time^m time_p^n(evt^n)`` with the
  newest wait at the front); if ``n < k`` the queue held only those (``m = 0``); ``n <= k``;
- a ``woken`` event comes only so, after the notify that woke it;
- whatever is left in the queue at the end waits forever.

A ``woken`` or ``timeout`` event's waiter is its thread's previous event, which must be the
``wait`` on the same location: [T] names it by ``time_p``, the stamp of the thread's previous
step, which a silent WAITX self-step would change (erratum E9, docs/errata.md).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from semantics.memory.events import Action, Event, Kind, Region

SUSPENSION_KINDS = frozenset({Kind.WAIT, Kind.WOKEN, Kind.TIMEOUT, Kind.NOTIFY})
_SUSPENSION_KINDS = tuple(SUSPENSION_KINDS)  # ``in`` by identity, no Enum.__hash__ call

Location = tuple[Region, int]
Chains = tuple[tuple[int, ...], ...]
"""Per location (sorted), its suspension events in order."""


def suspension_action(e: Event) -> Action | None:
    """The event's action that changes a wait queue, if any (at most one per event)."""
    for a in e.actions:
        if a.kind in _SUSPENSION_KINDS:
            return a
    return None


def location(a: Action) -> Location:
    assert a.region is not None
    return a.region, a.offset


def suspension_events(events: Sequence[Event]) -> dict[Location, list[int]]:
    """Per location, its suspension events by eid."""
    out: dict[Location, list[int]] = {}
    for e in events:
        a = suspension_action(e)
        if a is not None and a.region is not None:
            out.setdefault(location(a), []).append(e.eid)
    return dict(sorted(out.items()))


def chain_edges(chains: Chains) -> frozenset[tuple[int, int]]:
    """Each event of a chain before the next: hb contains their transitive closure."""
    return frozenset((a, b) for c in chains for a, b in zip(c, c[1:], strict=False))


def _previous(events: Sequence[Event], e: Event) -> Event | None:
    for x in events:
        if x.thread == e.thread and x.index == e.index - 1:
            return x
    return None


def waiter(events: Sequence[Event], e: Event) -> int | None:
    """The wait a ``woken``/``timeout`` event ends: its thread's previous event, if that is a
    wait on the same location."""
    a, p = suspension_action(e), _previous(events, e)
    pa = suspension_action(p) if p is not None else None
    if a is None or p is None or pa is None or pa.kind is not Kind.WAIT \
            or location(pa) != location(a):
        return None
    return p.eid


def run_queue(events: Sequence[Event], chain: Sequence[int]) -> tuple[str, tuple[int, ...]] | None:
    """The queue run over ``chain`` (the events of one location, in order): None if it accepts,
    else why not and the events involved."""
    queue: list[int] = []  # oldest first
    i = 0
    while i < len(chain):
        e = events[chain[i]]
        a = suspension_action(e)
        assert a is not None
        if a.kind is Kind.WAIT:
            queue.append(e.eid)
        elif a.kind is Kind.TIMEOUT:
            w = waiter(events, e)
            if w is None or w not in queue:
                return f"#{e.eid} times out, but its thread is not waiting there", (e.eid,)
            wa = suspension_action(events[w])
            if wa is not None and wa.args and wa.args[0] < 0:
                return f"#{e.eid} times out a wait with no timeout (#{w})", (w, e.eid)
            queue.remove(w)
        elif a.kind is Kind.WOKEN:
            return (f"#{e.eid} is woken, but not right after the notify that wakes it",
                    (e.eid,))
        else:
            n, k = a.args[0], a.args[1]
            if n > k:
                return f"notify #{e.eid} reports {n} woken, more than its count {k}", (e.eid,)
            if len(queue) < n or (n < k and len(queue) != n):
                return (f"notify #{e.eid} wakes {n} of {len(queue)} waiters with count {k}",
                        (e.eid, *queue))
            woken = list(reversed(queue[:n]))  # the youngest of the n oldest first
            got = list(chain[i + 1:i + 1 + n])
            if [waiter(events, events[x]) for x in got] != woken or any(
                    suspension_action(events[x]).kind is not Kind.WOKEN  # type: ignore[union-attr]
                    for x in got):
                return (f"notify #{e.eid} wakes {', '.join(f'#{w}' for w in woken) or 'nobody'}"
                        f", whose woken events do not follow it", (e.eid, *woken, *got))
            del queue[:n]
            i += n
        i += 1
    return None


def queue_orders(events: Sequence[Event]) -> Iterator[Chains]:
    """Every witness of ``events`` whose queue runs accept: per location, an order of its
    suspension events that keeps each thread's program order (the product over locations)."""
    per_loc = [tuple(_orders(events, eids)) for eids in suspension_events(events).values()]
    yield from _product(per_loc, ())


def _product(per_loc: Sequence[tuple[tuple[int, ...], ...]], acc: Chains) -> Iterator[Chains]:
    if not per_loc:
        yield acc
        return
    for c in per_loc[0]:
        yield from _product(per_loc[1:], (*acc, c))


def _orders(events: Sequence[Event], eids: Sequence[int]) -> Iterator[tuple[int, ...]]:
    """The accepted orders of one location's events (``run_queue`` run forwards)."""
    threads: dict[int, list[int]] = {}
    for x in sorted(eids, key=lambda x: (events[x].thread, events[x].index)):
        threads.setdefault(events[x].thread, []).append(x)
    lanes = list(threads.values())

    def go(pos: tuple[int, ...], queue: tuple[int, ...], out: tuple[int, ...]
           ) -> Iterator[tuple[int, ...]]:
        if all(p == len(lane) for p, lane in zip(pos, lanes, strict=True)):
            yield out
            return
        for t, lane in enumerate(lanes):
            if pos[t] == len(lane):
                continue
            e = events[lane[pos[t]]]
            a = suspension_action(e)
            assert a is not None
            step = list(pos)
            step[t] += 1
            if a.kind is Kind.WAIT:
                yield from go(tuple(step), (*queue, e.eid), (*out, e.eid))
            elif a.kind is Kind.TIMEOUT:
                w = waiter(events, e)
                wa = suspension_action(events[w]) if w is not None else None
                if w in queue and wa is not None and not (wa.args and wa.args[0] < 0):
                    yield from go(tuple(step), tuple(q for q in queue if q != w), (*out, e.eid))
            elif a.kind is Kind.NOTIFY:
                n, k = a.args[0], a.args[1]
                if n > k or len(queue) < n or (n < k and len(queue) != n):
                    continue
                woken: list[int] = []
                for w in reversed(queue[:n]):
                    u = next(j for j, ln in enumerate(lanes) if w in ln)
                    nxt = lanes[u][pos[u]] if pos[u] < len(lanes[u]) else None
                    if nxt is None or lanes[u].index(w) != pos[u] - 1 \
                            or waiter(events, events[nxt]) != w \
                            or suspension_action(events[nxt]).kind is not Kind.WOKEN:  # type: ignore[union-attr]
                        break
                    woken.append(nxt)
                    step[u] += 1
                else:
                    yield from go(tuple(step), queue[n:], (*out, e.eid, *woken))

    yield from go((0,) * len(lanes), (), ())
