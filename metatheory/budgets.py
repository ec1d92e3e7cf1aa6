"""How much ``weakwasm check`` searches by default, said once for the command and the report.

Program-level theorems enumerate every execution of each program, and Hypothesis draws larger
programs as a run goes on: 100 instances take seconds, 500 take minutes. They get fewer
instances than the graph- and configuration-level theorems; every report row says how many.
An expected failure is searched ``FAIL_BUDGET_FACTOR`` times longer (the search stops at the
first counterexample), so that a rare one is found rather than reported as a mismatch.

A row's instances are drawn in shards of ``SHARD`` (``PROGRAM_SHARD`` for programs), each with
its own seed, so that they run on several workers (``metatheory.tasks.shards``); the split
depends on the budget alone, so the report does too. Each shard starts, as Hypothesis does,
with a tenth of small instances (at most 50). ``enumerator_eq_solver`` runs ``SOLVER_CHUNK``
golden tests per task.
"""

MAX_EXAMPLES = 2000
PROGRAM_EXAMPLES = 300
FAIL_BUDGET_FACTOR = 5
SHARD = 500
PROGRAM_SHARD = 100
SOLVER_CHUNK = 8
