"""Shared pytest setup: the minimal scenario as a fixture, and the CLI runner.

Scenario workbooks are built inside the tests (tests/builders.py writes them, tests/cases.py
states compact ones); no binary fixture is needed. The layout of tests/ mirrors the
package: tests/scenario, tests/model, tests/solver, tests/advice, tests/compare,
tests/cli, and tests/e2e for whole runs (bundled scenarios, brute force, properties,
benchmarks).
"""

from __future__ import annotations

import pytest

from tests.builders import minimal_tables


@pytest.fixture
def tables():
    """A fresh copy of the small valid scenario of tests/builders.py (2 regions, 3 projects)."""
    return minimal_tables()
