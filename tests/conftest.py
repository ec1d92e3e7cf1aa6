"""Shared test set-up: Hypothesis profiles, the location of ../shared, a marker per tier."""

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", derandomize=True, database=None, deadline=None, max_examples=100,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", deadline=None, max_examples=200)
settings.register_profile(
    "thorough", deadline=None, max_examples=5000,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(
    "ci" if os.environ.get("CI") else os.environ.get("HYPOTHESIS_PROFILE", "dev"))

_DEFAULT_SHARED = Path(__file__).resolve().parents[1] / ".." / "shared"
SHARED = Path(os.environ.get("WEAKWASM_SHARED", _DEFAULT_SHARED))
THREADS_TESTS = SHARED / "external" / "wasm-threads-tests"


@pytest.fixture
def threads_tests() -> Path:
    if not THREADS_TESTS.is_dir():
        pytest.fail(f"the threads proposal tests are expected at {THREADS_TESTS}")
    return THREADS_TESTS


TESTS = Path(__file__).resolve().parent
TIERS = ("unit", "golden", "properties", "proofs", "quality")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test with its tier, the directory it is in: tests/TIER/..."""
    for item in items:
        path = item.path.resolve()
        if not path.is_relative_to(TESTS):
            continue
        tier = path.relative_to(TESTS).parts[0]
        if tier not in TIERS:
            raise pytest.UsageError(
                f"{item.nodeid}: a test belongs in one of tests/{{{','.join(TIERS)}}}/")
        item.add_marker(tier)
