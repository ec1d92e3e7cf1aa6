"""Shared test set-up: Hypothesis profiles and the location of ../shared."""

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


PROPERTY_FILES = (
    "test_properties", "test_theorems", "test_mutants", "test_hunt", "test_soundness")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        name = item.path.name
        if name.startswith("test_proofs"):
            item.add_marker(pytest.mark.proofs)
        elif name.startswith(PROPERTY_FILES):
            item.add_marker(pytest.mark.properties)
