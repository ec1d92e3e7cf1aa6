"""``--cluster``: a real Dask cluster (a scheduler and two worker processes on loopback)
computes the report that one process computes, and a scheduler that is not there is one line
and exit 2."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from metatheory.report import check_command
from metatheory.tasks import Workers
from tests.common.cli import run
from tests.common.corpus import CORPUS

distributed = pytest.importorskip("distributed")

SUBSET = ("sc_drf", "no_tearing", "wasm_eq_js", "preservation")


def _corpus(tmp: Path) -> Path:
    d = tmp / "corpus"
    d.mkdir()
    for name in ("MP", "SB"):
        shutil.copy(Path(CORPUS) / "classic" / f"{name}.litmus", d)
    return d


def test_check_on_a_dask_cluster_gives_the_report_of_one_process(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path)
    kw = dict(max_examples=10, program_examples=2, proof_bound=2, theorems=SUBSET, mutants=False,
              corpus_dir=corpus)
    here = check_command(tmp_path / "one", workers=Workers(1), **kw)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster, \
            Workers(cluster=cluster.scheduler_address) as w:
        assert w.count == 2 and "Dask cluster" in w.describe()
        there = check_command(tmp_path / "dask", workers=w, **kw)
        code, out, err = run("hunt", "wasm_eq_js", "--model", "es2017", "--max-examples",
                             "200", "--shard", "50", "--cluster", cluster.scheduler_address)
    assert there.text(times=False) == here.text(times=False)
    assert "Dask cluster" in dict(there.run)["workers"]
    assert {r.method for r in there.rows} == {"hypothesis", "z3"}
    assert code == 0 and "in 4 shards" in out, err
    assert run("hunt", "wasm_eq_js", "--model", "es2017", "--max-examples", "200", "--shard",
               "50", "--jobs", "1")[1].split(";")[0] == out.split(";")[0]


def test_an_unreachable_scheduler_is_one_line_and_exit_2() -> None:
    code, out, err = run("hunt", "sc_drf", "--cluster", "tcp://127.0.0.1:9")
    assert code == 2 and out == ""
    assert err.startswith("weakwasm: --cluster tcp://127.0.0.1:9: cannot reach") \
        and err.count("\n") == 1
