"""The sample generator: determinism, file quirks, valid PII, and a ground truth that matches the files."""

from __future__ import annotations

import csv
import io
import json
import random
import re
import unicodedata
from collections import Counter
from pathlib import Path

import opencc
import pytest

from voc.sample import DEFAULT_SEED, generate
from voc.sample.people import HOT_AGENT, People
from voc.sample.plan import plan_events
from voc.sample.themes import MONTHS, SOURCE_CHANNEL, THEME_BY_ID, THEMES
from voc.text.redact import id_checksum_ok as id_is_valid
from voc.text.redact import luhn_ok

SCALE = 0.05


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("sample")
    return out, generate(out, scale=SCALE)


@pytest.fixture(scope="module")
def full_plan() -> tuple[list, dict]:
    """The scale-1 plan without rendering: cheap, and large enough for rates to be meaningful."""
    return plan_events(DEFAULT_SEED, 1.0, People(random.Random(f"{DEFAULT_SEED}:people")))


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _texts(root: Path) -> dict[str, tuple[str, str]]:
    """Record id -> (created_at, text) read back the way an ingestor would."""
    out: dict[str, tuple[str, str]] = {}
    with open(root / "ratings" / "app_store.csv", encoding="utf-8-sig", newline="") as f:
        for r in csv.DictReader(f):
            out[r["编号"]] = (r["时间"], r["评价内容"])
    with open(root / "ratings" / "nps_survey.csv", encoding="gbk", newline="") as f:
        for r in csv.DictReader(f):
            out[r["问卷编号"]] = (r["提交时间"], r["意见建议"])
    for name, key, ts, text in (("ratings/branch_csat.jsonl", "id", "created_at", "comment"),
                                ("social/posts.jsonl", "id", "posted_at", "text")):
        for line in (root / name).read_text(encoding="utf-8").splitlines():
            o = json.loads(line)
            out[o[key]] = (o[ts], o[text])
    for path in sorted((root / "calls").glob("*/*.json")):
        o = json.loads(path.read_text(encoding="utf-8"))
        out[o["call_id"]] = (o["started_at"], " ".join(t["text"] for t in o["turns"]))
    return out


def test_same_seed_gives_identical_bytes_and_another_seed_differs(tmp_path: Path) -> None:
    generate(tmp_path / "a", scale=0.02)
    generate(tmp_path / "b", scale=0.02)
    generate(tmp_path / "c", seed=7, scale=0.02)
    a, b, c = _files(tmp_path / "a"), _files(tmp_path / "b"), _files(tmp_path / "c")
    assert a == b
    assert a["ratings/app_store.csv"] != c["ratings/app_store.csv"]


def test_regenerating_smaller_leaves_no_stray_call_files(tmp_path: Path) -> None:
    generate(tmp_path, scale=0.03)
    manifest = generate(tmp_path, scale=0.01)
    assert len(list((tmp_path / "calls").glob("*/*.json"))) == manifest["files"]["calls/"]["records"]


def test_file_encodings_and_headers(sample: tuple[Path, dict]) -> None:
    root, _ = sample
    app = (root / "ratings" / "app_store.csv").read_bytes()
    assert app.startswith(b"\xef\xbb\xbf")
    assert app.split(b"\n", 1)[0] == "\ufeff编号,时间,评分,评价内容,客户号,渠道\r".encode()
    rows = list(csv.reader(io.StringIO(app.decode("utf-8-sig"), newline="")))
    assert app.count(b"\r\n") >= len(rows)
    nps = (root / "ratings" / "nps_survey.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        nps.decode("utf-8")
    assert nps.decode("gbk").startswith("问卷编号,提交时间,推荐意愿(0-10),意见建议,客户号,网点,产品\r\n")
    csat = json.loads((root / "ratings" / "branch_csat.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert set(csat) == {"id", "created_at", "score", "comment", "customer_id", "branch", "product", "subtype"}
    post = json.loads((root / "social" / "posts.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert set(post) == {"id", "platform", "posted_at", "author", "text", "url", "likes", "reposts"}
    assert post["posted_at"].endswith("+08:00") and post["url"].startswith("https://")


def test_calls_have_the_documented_shape(sample: tuple[Path, dict]) -> None:
    root, _ = sample
    speakers: Counter[str] = Counter()
    for path in sorted((root / "calls").glob("*/*.json")):
        call = json.loads(path.read_text(encoding="utf-8"))
        assert path.stem == call["call_id"] and re.fullmatch(r"C\d{12}", call["call_id"])
        assert path.parent.name == call["started_at"][:7] and call["started_at"].endswith("+08:00")
        assert 6 <= len(call["turns"]) <= 20
        starts = [t["start"] for t in call["turns"]]
        assert starts == sorted(starts) and all(t["end"] > t["start"] for t in call["turns"])
        speakers.update(t["speaker"] for t in call["turns"])
    assert set(speakers) <= {"坐席", "客户", "系统", "agent", "customer", "system"}
    assert speakers["坐席"] > 10 * speakers["agent"] > 0


def test_injected_pii_is_valid_and_written_verbatim(sample: tuple[Path, dict]) -> None:
    root, manifest = sample
    pii = (root / "pii_strings.txt").read_text(encoding="utf-8").splitlines()
    look_alikes = (root / "not_pii_strings.txt").read_text(encoding="utf-8").splitlines()
    assert pii and look_alikes
    corpus = "\n".join(text for _, text in _texts(root).values())
    kinds: Counter[str] = Counter()
    for s in pii:
        assert s in corpus
        digits = s.replace(" ", "").replace("-", "")
        if re.fullmatch(r"\d{17}[\dX]", digits):
            assert id_is_valid(digits), s
            kinds["id"] += 1
        elif re.fullmatch(r"62\d{14,17}", digits):
            assert luhn_ok(digits), s
            kinds["card"] += 1
    assert kinds["id"] and kinds["card"]
    assert all(unicodedata.normalize("NFKC", s) == s for s in pii + look_alikes)
    for s in look_alikes:
        assert s in corpus
        assert not re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", s)
    assert manifest["pii"]["distinct_strings"] == len(pii)


def test_checksum_helpers_reject_corrupted_numbers() -> None:
    assert id_is_valid("11010519491231002X")
    assert not id_is_valid("110105194912310021")
    assert luhn_ok("6222021234567890128") != luhn_ok("6222021234567890129")


def test_manifest_counts_match_truth_and_texts(sample: tuple[Path, dict]) -> None:
    root, manifest = sample
    texts = _texts(root)
    t2s = opencc.OpenCC("t2s")
    truth = list(csv.DictReader((root / "truth.csv").open(encoding="utf-8")))
    assert len(truth) == len(texts) == manifest["records"]["total"]
    counted: Counter[tuple[str, str, str]] = Counter()
    for row in truth:
        created, text = texts[row["id"]]
        assert created[:7] == row["month"]
        plain = t2s.convert(unicodedata.normalize("NFKC", text))
        hits = [t.id for t in THEMES if any(k in plain for k in t.keywords)]
        assert hits == ([row["theme"]] if row["theme"] else []), (row, text)
        if row["theme"]:
            counted[(row["theme"], row["month"], SOURCE_CHANNEL[row["source"]])] += 1
    for theme in manifest["themes"]:
        for month, per in theme["counts"].items():
            for channel in ("rating", "call", "social"):
                assert per[channel] == counted[(theme["id"], month, channel)]


def test_theme_courses(sample: tuple[Path, dict], full_plan: tuple[list, dict]) -> None:
    _, manifest = sample
    totals = {t["id"]: [t["counts"][m]["total"] for m in MONTHS] for t in manifest["themes"]}
    assert sum(totals["app_crash"][:6]) > 10 * max(1, sum(totals["app_crash"][6:]))
    assert sum(totals["pension_account"][-2:]) > 2 * sum(totals["pension_account"][:-2])
    events, _ = full_plan
    monthly = Counter((e.theme, e.month) for e in events if e.theme)
    per_channel = Counter((e.theme, e.month, SOURCE_CHANNEL[e.source]) for e in events if e.theme)
    series = {t.id: [monthly[(t.id, m)] for m in MONTHS] for t in THEMES}
    assert all(per_channel[("transfer_limit", m, c)] > 0 for m in MONTHS for c in ("rating", "call", "social"))
    background = [t.id for t in THEMES if t.course == "stable"]
    assert min(series["transfer_limit"]) > max(max(series[b]) for b in background)
    assert max(series["app_crash"][6:]) <= 8 < 100 < min(series["app_crash"][:6])
    pension = series["pension_account"]
    assert max(pension[:9]) <= 5 and pension[10] >= 40 and pension[11] > 1.5 * pension[10]
    for b in background:
        s = series[b]
        assert max(s) < 1.5 * min(s) and 40 <= sum(s) / 12 <= 85
        assert abs(sum(s[6:]) - sum(s[:6])) < 0.15 * sum(s), b
    assert THEME_BY_ID["pension_account"].process_step == "account_opening"


def test_repeat_contacts_and_escalations(full_plan: tuple[list, dict]) -> None:
    events, _ = full_plan
    by_id = {e.id: e for e in events}
    themed = [e for e in events if e.theme and e.customer]
    repeats = [e for e in themed if e.repeat_of]
    assert 0.12 <= len(repeats) / len(themed) <= 0.2
    for e in repeats:
        first = by_id[e.repeat_of]
        assert first.customer == e.customer and first.theme == e.theme
        assert 0 <= (e.ts - first.ts).days <= 30
    assert sum(by_id[e.repeat_of].source != e.source for e in repeats) > 0.6 * len(repeats)
    calls = [e for e in events if e.source == "calls"]
    rate = sum(e.escalated for e in calls) / len(calls)
    hot = [e for e in calls if e.agent == HOT_AGENT]
    others = [e for e in calls if e.agent != HOT_AGENT]
    assert 0.06 <= rate <= 0.10
    assert sum(e.escalated for e in hot) / len(hot) > 2 * sum(e.escalated for e in others) / len(others)


def test_ratings_follow_the_text_with_some_noise(sample: tuple[Path, dict]) -> None:
    root, _ = sample
    truth = {r["id"]: r["category"] for r in csv.DictReader((root / "truth.csv").open(encoding="utf-8"))}
    with open(root / "ratings" / "app_store.csv", encoding="utf-8-sig", newline="") as f:
        stars = [(truth[r["编号"]], int(r["评分"]), r["评价内容"]) for r in csv.DictReader(f)]
    complaints = [s for c, s, _ in stars if c == "complaint"]
    praise = [s for c, s, _ in stars if c == "praise"]
    assert sum(complaints) / len(complaints) < 2.2 < 4.0 < sum(praise) / len(praise)
    assert 0 < sum(s >= 4 for s in complaints) < 0.2 * len(complaints)
    assert any(text == "" for *_, text in stars)
    assert any(0 < len(text) <= 8 for *_, text in stars)
    assert any(len(text) >= 100 for *_, text in stars)


def test_social_posts_mix_scripts_and_markers(sample: tuple[Path, dict]) -> None:
    root, _ = sample
    posts = [json.loads(x) for x in (root / "social" / "posts.jsonl").read_text(encoding="utf-8").splitlines()]
    t2s = opencc.OpenCC("t2s")
    traditional = sum(t2s.convert(p["text"]) != p["text"] for p in posts)
    assert 0 < traditional < 0.15 * len(posts)
    joined = "".join(p["text"] for p in posts)
    assert "@" in joined and re.search(r"#[^#\s]+#", joined) and re.search(r"[\uff10-\uff19\uff21-\uff5a]", joined)
    assert {p["platform"] for p in posts} == {"微博", "微信", "黑猫投诉", "小红书"}
