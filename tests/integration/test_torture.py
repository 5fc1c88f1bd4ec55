"""The write-path torture test (load/torture.py) at CI size, on each database.

gunicorn with 4 workers and the scheduler's refresher, 8 clients racing on shared orders,
refunds and statuses, a CSV import, a backfill and the nightly job at the same time; then
every derived table must equal a from-scratch recompute (the product tables among them), no
line may break a line rule (load/torture.py, LINE_PROBLEMS), and no answer may be a 5xx.
"""

from __future__ import annotations

from load.torture import report, run


def test_many_writers_at_once_leave_every_figure_exact(app, database_url, tmp_path):
    outcome = run(database_url, rounds=6, pool=120, csv_rows=1_200, instance=tmp_path)
    assert outcome.passed, report(outcome)
    answers = outcome.requests
    # The races really happened: refunds and status changes were refused as well as taken.
    assert answers["refund full"].get("201") and answers["refund full"].get("409"), report(outcome)
    assert answers["status change"].get("200") and answers["status change"].get("409"), report(
        outcome
    )
    assert answers["orders batch"].get("201") == sum(answers["orders batch"].values())
    # Returns of one line raced: some were taken, the ones past its two units refused.
    assert answers["refund line"].get("201") and answers["refund line"].get("409"), report(outcome)
    assert answers["cost change"].get("201") == sum(answers["cost change"].values())
    assert all(
        result.startswith("exit 0")
        for result in (outcome.import_result, outcome.backfill_result, outcome.nightly_result)
    ), report(outcome)
