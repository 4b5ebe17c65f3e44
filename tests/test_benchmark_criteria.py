"""How the suite turns a criterion's runs into its figure and verdict."""

from benchmarks.criteria import CRITERIA_BY_NAME, judge
from benchmarks.report import text_table


def test_lost_requests_judged_on_worst_run():
    record = judge(CRITERIA_BY_NAME["receiver_lost"], [0.0, 0.0, 3.0, 0.0, 0.0], None)

    assert record["value"] == 3.0
    assert record["aggregate"] == "worst run"
    assert record["met"] is False


def test_stall_limit_fails_on_one_long_stall():
    record = judge(CRITERIA_BY_NAME["receiver_max_stall"], [12.0, 14.0, 61.0], None)

    assert record["value"] == 61.0
    assert record["met"] is False


def test_sends_ratio_judged_on_medians():
    record = judge(
        CRITERIA_BY_NAME["sends_throughput"], [700.0, 900.0, 950.0], [1000.0] * 3
    )

    assert record["value"] == 900.0
    assert record["aggregate"] == "median"
    assert record["ratio"] == 0.9
    assert record["met"] is True


def test_table_names_worst_run_target():
    records = [
        judge(CRITERIA_BY_NAME["receiver_lost"], [0.0, 0.0], None),
        judge(CRITERIA_BY_NAME["sends_throughput"], [900.0], [1000.0]),
    ]

    table = text_table(records)

    assert "worst run's value <= 0 requests" in table
    assert "ratio >= 0.8x" in table
