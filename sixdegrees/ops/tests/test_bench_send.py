"""The send benchmark's plumbing (the measurement itself runs in `make bench`)."""

from __future__ import annotations

from sixdegrees.bench import __main__ as bench
from sixdegrees.bench import send


def _engine(product: float, raw: float) -> dict:
    condition = {"product_per_second": product, "raw_per_second": raw, "messages": 200}
    per = {"per_message": {"reads": 2.0, "writes": 3.0, "commits": 3.0}}
    return {
        "sending": [
            {"label": "empty outbox", **condition, **per},
            {"label": "100,000 sent emails", **condition, "product_per_second": product * 1.2, **per},
            {
                "label": "100,000 sent + 100,000 other due",
                "product_per_second": product * 0.9,
                "raw_per_second": raw,
                "messages": 200,
                **per,
            },
        ],
        "tables": [
            {"target": 0, "status_ms": 10.0, "outbox_counts_ms": 1.0, "drain_pass_ms": 2.0},
            {"target": 100_000, "status_ms": 12.0, "outbox_counts_ms": 1.2, "drain_pass_ms": 4.0},
        ],
        "backlog_drain_pass_ms": 5.0,
        "latency": {"planning_ms": [12.0, 14.0], "intake_to_ready_ms": [40.0, 60.0], "intake_request_ms": [9.0, 11.0]},
    }


def test_discovery_finds_the_send_benchmark_but_not_its_helper():
    found = bench.benchmarks()
    assert found["send"] is send
    assert not any(name.startswith("_") for name in found)


def test_the_section_gives_ratios_and_says_which_targets_are_met():
    results = {
        "config": {"messages": 200, "rounds": 4, "rows": 100_000, "latency_samples": 30},
        "sqlite": _engine(60.0, 100.0),
        "postgresql": _engine(40.0, 100.0),
    }
    text = send.markdown(results)
    assert "| SQLite: sender vs raw smtplib, empty outbox (200 per round) | 60 vs 100 msg/s = **0.60×**" in text
    assert "| PostgreSQL: sender vs raw smtplib, empty outbox (200 per round) | 40 vs 100 msg/s = **0.40×**" in text
    assert (
        "| SQLite: a drain pass, nothing due at 0 / 100,000 emails | 2.0 ms / 4.0 ms (2.00×) | ≤ 1.5× | **no** |"
        in text
    )
    assert (
        "| SQLite: sender throughput with the other due rows vs without them (100,000 sent emails) "
        "| 0.75× (vs an empty outbox 0.90×) | ≥ 0.8× | **no** |"
    ) in text
    assert "50.0 ms / 60.0 ms vs 13.0 ms / 14.0 ms" in text
