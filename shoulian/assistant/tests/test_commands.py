"""The two commands with a stable interface (issue 18 §6) and the held-out targets."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from shoulian.assistant.choices import Nature

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parents[1] / "data"


def suggest(lines: list[str], monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(lines) + "\n"))
    out = io.StringIO()
    call_command("nature_suggest", stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_nature_suggest_reads_and_writes_json_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = suggest(
        [
            json.dumps(
                {"id": "a1", "text": "公司员工利用职务便利私吞公司货款五万元"}, ensure_ascii=False
            ),
            json.dumps({"id": 2, "text": "邻居家每天深夜大声放音乐"}, ensure_ascii=False),
        ],
        monkeypatch,
    )
    assert [r["id"] for r in rows] == ["a1", 2]
    first = rows[0]
    assert set(first) == {"id", "top", "amount_yuan", "criminal"}
    assert len(first["top"]) == 3 and all(set(t) == {"label", "p"} for t in first["top"])
    assert all(t["label"] in Nature.values for t in first["top"])
    assert first["top"][0]["label"] == "职务侵占" and first["amount_yuan"] == 50000
    assert first["criminal"] is True
    assert rows[1]["top"][0]["label"] == "邻里纠纷" and rows[1]["criminal"] is False
    assert rows[1]["amount_yuan"] is None


def test_nature_suggest_answers_a_bad_line_and_goes_on(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = suggest(["not json", json.dumps({"id": 7, "text": "咨询户口迁移"})], monkeypatch)
    assert "error" in rows[0] and rows[1]["id"] == 7


def test_nature_eval_prints_the_scores(tmp_path: Path) -> None:
    path = tmp_path / "few.jsonl"
    path.write_text(
        "\n".join(
            json.dumps(row, ensure_ascii=False)
            for row in [
                {"id": 1, "text": "公司出纳私吞公司货款五万元，做假账后失联", "label": "职务侵占"},
                {"id": 2, "text": "邻居家每天深夜大声放音乐", "label": "邻里纠纷"},
            ]
        )
    )
    out = io.StringIO()
    call_command("nature_eval", str(path), stdout=out)
    text = out.getvalue()
    for heading in ("top-1", "top-3", "macro-F1", "criminal recall", "hard pairs"):
        assert heading in text
    out = io.StringIO()
    call_command("nature_eval", str(path), "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["n"] == 2 and report["top3"] == 1.0


def test_nature_eval_refuses_unlabelled_lines(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": 1, "text": "x"}\n')
    with pytest.raises(CommandError):
        call_command("nature_eval", str(path))


def test_the_held_out_split_meets_the_targets() -> None:
    """Issue 18's bar on the project's own held-out split (synthetic; see data/README.md)."""
    out = io.StringIO()
    call_command("nature_eval", str(DATA / "natures-heldout.jsonl"), "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["n"] >= 21 * 20
    assert report["top3"] >= 0.95
    assert report["macro_f1"] >= 0.85
    assert report["criminal"]["recall"] >= 0.95


def test_training_never_reads_the_held_out_split() -> None:
    train = {json.loads(line)["text"] for line in (DATA / "natures-train.jsonl").open()}
    heldout = [json.loads(line) for line in (DATA / "natures-heldout.jsonl").open()]
    assert not train & {row["text"] for row in heldout}
    counts: dict[str, int] = {}
    for line in (DATA / "natures-train.jsonl").open():
        label = json.loads(line)["label"]
        counts[label] = counts.get(label, 0) + 1
    assert set(counts) == set(Nature.values) and min(counts.values()) >= 40
