"""One solve of the Uzbekistan scenario for the whole session: the bundled-scenario checks and the
rendering test both read it (a solve with the goal explanations takes about a minute)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from planner.pipeline import Result, run_scenario
from tests.builders import ROOT

SCENARIOS = ROOT / "scenarios"


@pytest.fixture(scope="session")
def uzbekistan_result(tmp_path_factory) -> tuple[Result, Path]:
    """The Uzbekistan scenario solved as ``planner solve`` does, and its results workbook.

    A generous time limit: every solve of the missed-goal explanations then runs to its end
    (their own default limit is 10 s a solve), so the answers do not depend on the machine's load."""
    out = tmp_path_factory.mktemp("uzbekistan") / "uzbekistan-results.xlsx"
    return run_scenario(SCENARIOS / "uzbekistan.xlsx", out=out, time_limit=900), out


@pytest.fixture(scope="session")
def uzbekistan_run(uzbekistan_result) -> tuple[int, dict, Path]:
    """Exit code, the --json answer (as planner solve --json prints it) and the results workbook."""
    result, out = uzbekistan_result
    return result.exit_code, json.loads(json.dumps(result.to_json(), default=str)), out
