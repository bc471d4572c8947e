"""Benchmark of the case-nature panel (issue 18 §4). Not a test: numbers, printed.

Target: the server time of one ``assistant:suggest`` request — what the desk panel posts as the
officer types — at p95 ≤ 100 ms on this machine. Measured in-process through Django's full
request stack (middleware: session, login, second factor, CSP, request context; the view: one
query for the checklists in force, extraction, the classifier, the template) with the production
settings module on a fresh SQLite database; the HTTP server's own parsing is not included.
The texts are the held-out narratives cut at growing lengths, as the panel sees them while the
officer types, and the decision form's variant (alert narrative + the facts being typed).

    .venv/bin/python bench/assistant.py [--requests 600] [--warmup 30]
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup() -> None:
    var = Path(tempfile.mkdtemp(prefix="assistant-bench-"))
    os.environ.update(
        SHOULIAN_VAR_DIR=str(var),
        SHOULIAN_SECRET_KEY="bench-only-secret-key",  # noqa: S106 - throwaway
        SHOULIAN_ALLOWED_HOSTS="testserver",
        SHOULIAN_HTTPS="0",
        SHOULIAN_LOG_LEVEL="WARNING",
        # Throwaway keys: the bench data is invented.
        SHOULIAN_PII_KEYS="bench:" + base64.b64encode(b"\x01" * 16).decode(),
        SHOULIAN_PII_INDEX_KEY=base64.b64encode(b"\x02" * 32).decode(),
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def texts(limit: int) -> list[str]:
    rows = [
        json.loads(line)
        for line in (ROOT / "shoulian/assistant/data/natures-heldout.jsonl").open(encoding="utf-8")
    ]
    out: list[str] = []
    for row in rows:
        text = row["text"]
        for cut in (len(text) // 3, 2 * len(text) // 3, len(text)):
            out.append(text[:cut])
            if len(out) >= limit:
                return out
    return out


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--warmup", type=int, default=30)
    args = parser.parse_args()
    setup()

    from django.test import Client
    from django.urls import reverse

    from shoulian.accounts.choices import Role
    from shoulian.assistant.selectors import suggest
    from shoulian.conftest import login_as, make_bureau, make_user
    from shoulian.intake.tests.helpers import register

    bureau = make_bureau("3501", "甲")
    clerk = make_user("bench.clerk", bureau.center, Role.CLERK)
    alert = register(
        clerk, narrative="报案人称其公司出纳利用职务便利将公司5万元转入个人账户后失联。"
    ).alert
    client = login_as(Client(), clerk)
    url = reverse("assistant:suggest")
    sample = texts(args.requests + args.warmup)

    def post(i: int, text: str) -> float:
        start = time.perf_counter()
        if i % 4 == 3:
            # The decision form's variant: the scope check on the alert, its narrative + facts.
            response = client.post(
                url, {"context": "workflow.propose", "alert": alert.pk, "facts": text[:60]}
            )
        else:
            response = client.post(url, {"context": "intake.register", "narrative": text})
        elapsed = time.perf_counter() - start
        assert response.status_code == 200, response.status_code
        return elapsed * 1000

    for i, text in enumerate(sample[: args.warmup]):
        post(i, text)
    timings = [post(i, text) for i, text in enumerate(sample[args.warmup :])]

    rank_only = []
    for text in sample[args.warmup :]:
        start = time.perf_counter()
        suggest(text)
        rank_only.append((time.perf_counter() - start) * 1000)

    result = {
        "requests": len(timings),
        "p50_ms": round(statistics.median(timings), 2),
        "p95_ms": round(percentile(timings, 0.95), 2),
        "p99_ms": round(percentile(timings, 0.99), 2),
        "max_ms": round(max(timings), 2),
        "ranking_only_p95_ms": round(percentile(rank_only, 0.95), 2),
        "target_p95_ms": 100,
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))
    print("PASS" if result["p95_ms"] <= 100 else "FAIL", "p95 ≤ 100 ms")


if __name__ == "__main__":
    main()
