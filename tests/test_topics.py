"""ThemeModel on synthetic bank complaints from five template families (TF-IDF -> SVD embeddings)."""

from __future__ import annotations

import random

import numpy as np
import pytest
from lda_baseline import LdaThemeModel
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from voc.errors import ConfigError, NotFittedError
from voc.text.segment import get_segmenter
from voc.topics import ThemeModel, merge_close, npmi_coherence

# Each record joins two clauses of its family plus shared filler, so a family is a cloud of varied texts
# rather than a few fixed templates (which would be their own tight clusters).
FAMILIES = {
    "限额": [
        "手机银行转账限额太低",
        "转账限额只有五万",
        "想调高转账限额",
        "申请提高限额一直没通过",
        "每日限额不够用",
        "大额转账被限额卡住",
        "限额调整要去网点",
        "付款提示超过限额",
    ],
    "闪退": [
        "打开手机银行就闪退",
        "app更新以后一直闪退",
        "登录的时候闪退",
        "手机银行闪退好几次",
        "转账页面点一下就闪退",
        "闪退以后要重新登录",
        "客户端频繁闪退",
        "扫码付款时闪退",
    ],
    "排队": [
        "网点排队排了两个小时",
        "去柜台办业务排队太久",
        "只开一个窗口排队的人很多",
        "周末网点排队等号",
        "取号以后排队等了半天",
        "排队的时候没人维持秩序",
        "老人排队办社保卡",
        "叫号太慢排队很长",
    ],
    "手续费": [
        "跨行转账收手续费",
        "莫名其妙被扣手续费",
        "手续费太贵了",
        "取现也要收手续费",
        "账户管理费和手续费乱收",
        "手续费标准没有提前告知",
        "汇款手续费比别家高",
        "小额账户手续费不合理",
    ],
    "营销电话": [
        "天天接到营销电话",
        "营销电话推销信用卡",
        "客户经理打营销电话推销理财",
        "营销电话太多了",
        "推销保险的营销电话打个不停",
        "拒绝以后营销电话还在打",
        "上班时间接营销电话",
        "营销电话骚扰家人",
    ],
}
FILLERS_X = ["我", "今天", "昨天", "最近", "上周", "这个月", "", "本人"]
FILLERS_Y = ["非常不满意", "希望尽快处理", "体验很差", "请给个说法", "太失望了", "麻烦改进一下", "很生气"]
NEW_FAMILY = [
    "信用卡被盗刷",
    "发现信用卡有一笔盗刷交易",
    "信用卡盗刷以后客服不处理",
    "境外盗刷信用卡",
    "盗刷的钱一直没退回",
    "信用卡没离身却被盗刷",
]


def make(clauses: list[str], n: int, rng: random.Random) -> list[str]:
    out = []
    for _ in range(n):
        a, b = rng.sample(clauses, 2)
        out.append(f"{rng.choice(FILLERS_X)}{a}，{b}，{rng.choice(FILLERS_Y)}")
    return out


@pytest.fixture(scope="module")
def corpus():
    rng = random.Random(7)
    texts, fam = [], []
    for name, templates in FAMILIES.items():
        batch = make(templates, 60, rng)
        texts += batch
        fam += [name] * len(batch)
    seg = get_segmenter()
    tokens = [seg.words(t) for t in texts]
    # The embedder has seen the later new family too, as a corpus embedder refitted on all data would.
    later = [seg.words(t) for t in make(NEW_FAMILY, 60, random.Random(11))]
    vec = TfidfVectorizer(analyzer=lambda d: d, sublinear_tf=True)
    svd = TruncatedSVD(24, random_state=0).fit(vec.fit_transform(tokens + later))
    emb = normalize(svd.transform(vec.transform(tokens))).astype(np.float32)

    def embed(new_texts: list[str]) -> tuple[np.ndarray, list[list[str]]]:
        toks = [seg.words(t) for t in new_texts]
        return normalize(svd.transform(vec.transform(toks))).astype(np.float32), toks

    return texts, tokens, emb, np.array(fam), embed


@pytest.fixture(scope="module")
def fitted(corpus):
    _, tokens, emb, _, _ = corpus
    return ThemeModel(random_state=0).fit(emb, tokens)


def purity(labels: np.ndarray, truth: np.ndarray) -> float:
    kept = labels >= 0
    total = 0
    for c in np.unique(labels[kept]):
        _, counts = np.unique(truth[kept & (labels == c)], return_counts=True)
        total += counts.max()
    return total / kept.sum()


def test_automatic_k_recovers_the_five_families(corpus, fitted):
    *_, fam, _ = corpus
    assert 4 <= len(fitted.themes_) <= 6
    assert purity(fitted.labels_, fam) >= 0.9
    assert (fitted.labels_ >= 0).mean() >= 0.85


def test_labels_name_the_family(corpus, fitted):
    *_, fam, _ = corpus
    for name in FAMILIES:
        ids, counts = np.unique(fitted.labels_[(fam == name) & (fitted.labels_ >= 0)], return_counts=True)
        theme = fitted.themes[int(ids[counts.argmax()])]
        assert name in theme.label or any(name in w for w, _ in theme.keywords[:3]), theme
        parts = theme.label.split(" · ")
        assert 1 <= len(parts) <= 3
        assert len(set(parts)) == len(parts)
        assert not any(a != b and a in b for a in parts for b in parts)
        assert theme.representatives and all(fitted.labels_[r] == theme.id for r in theme.representatives)


def test_coherence_is_finite(fitted):
    assert all(np.isfinite(t.coherence) and -1 <= t.coherence <= 1 for t in fitted.themes_)


def test_same_seed_gives_identical_themes(corpus, fitted):
    _, tokens, emb, _, _ = corpus
    again = ThemeModel(random_state=0).fit(emb, tokens)
    assert [t.to_dict() for t in again.themes_] == [t.to_dict() for t in fitted.themes_]
    np.testing.assert_array_equal(again.labels_, fitted.labels_)
    np.testing.assert_array_equal(again.centroids_, fitted.centroids_)


def complaint_themes(model: ThemeModel) -> list:
    return [t for t in model.themes_ if t.kind == "complaint"]


def test_forced_number_of_themes_and_assign_all(corpus):
    _, tokens, emb, _, _ = corpus
    model = ThemeModel(n_themes=3, assign_all=True, random_state=1).fit(emb, tokens)
    assert len(complaint_themes(model)) == 3
    assert (model.labels_ >= 0).all()


def test_assign_maps_family_texts_and_rejects_junk(corpus, fitted):
    *_, fam, embed = corpus
    rng = random.Random(99)
    new = make(FAMILIES["闪退"], 10, rng)
    emb_new, _ = embed([*new, "今天天气晴朗适合去公园散步", "哈哈哈"])
    ids, sims = fitted.assign(emb_new)
    crash_theme = np.bincount(fitted.labels_[(fam == "闪退") & (fitted.labels_ >= 0)]).argmax()
    assert (ids[:10] == crash_theme).all()
    assert (ids[10:] == -1).all()
    assert sims.shape == (12,)


def test_short_comments_get_a_theme_or_outlier(corpus, fitted):
    *_, embed = corpus
    short = ["太慢了", "闪退", "服务很好", "排队", "好", ""]
    emb_new, toks = embed(short)
    ids, _ = fitted.assign(emb_new)
    assert len(ids) == len(short)
    assert set(ids.tolist()) <= {-1} | {t.id for t in fitted.themes_}
    _, tokens, emb, _, _ = corpus
    model = ThemeModel(random_state=0).fit(np.vstack([emb, emb_new]), tokens + toks)
    assert len(model.labels_) == len(tokens) + len(short)


def test_update_adds_exactly_one_new_theme_and_keeps_ids(corpus):
    _, tokens, emb, _, embed = corpus
    model = ThemeModel(random_state=0).fit(emb, tokens)
    old = {t.id: t.label for t in model.themes_}
    rng = random.Random(3)
    batch = make(FAMILIES["限额"], 20, rng) + make(FAMILIES["排队"], 20, rng) + make(NEW_FAMILY, 30, rng)
    emb_new, toks = embed(batch)
    lineage = model.update(emb_new, toks)
    assert len(lineage.new) == 1
    new_id = lineage.new[0]
    assert new_id == max(old) + 1
    assert set(old) <= {t.id for t in model.themes_}
    # Labels follow members: themes the batch did not touch keep their label.
    untouched = [i for i in old if i not in lineage.continued and i != model.generic_id_]
    assert untouched and all(model.themes[i].label == old[i] for i in untouched)
    assert "盗刷" in model.themes[new_id].label
    assert (lineage.labels[40:] == new_id).mean() >= 0.9
    assert len(lineage.continued) == 2 and sum(lineage.continued.values()) >= 34
    assert len(lineage.retired) == len([i for i in old if i != model.generic_id_]) - 2
    assert 0.9 <= lineage.stability <= 1.0
    again = model.update(emb_new[:40], toks[:40])
    assert again.new == [] and new_id in again.retired


def test_an_update_returns_a_new_state_and_leaves_the_old_one_alone(corpus, fitted):
    """The update step is a function of (state, batch): the state it was given is not touched."""
    from voc.topics.lineage import next_state

    *_, embed = corpus
    emb_new, toks = embed(make(NEW_FAMILY, 30, random.Random(5)))
    before = fitted.state_
    snapshot = (before.centroids.copy(), before.theme_ids.copy(), dict(before.sizes), before.next_id, before.step,
                [t.to_dict() for t in before.themes])
    after, lineage = next_state(fitted, before, *fitted.prepare(emb_new, toks))
    assert after is not before and lineage.new == [before.next_id]
    assert after.step == before.step + 1 and after.next_id == before.next_id + 1
    np.testing.assert_array_equal(before.centroids, snapshot[0])
    np.testing.assert_array_equal(before.theme_ids, snapshot[1])
    assert (before.sizes, before.next_id, before.step) == snapshot[2:5]
    assert [t.to_dict() for t in before.themes] == snapshot[5]
    assert fitted.state_ is before  # only ThemeModel.update swaps the model's state


def test_near_duplicate_themes_merge(corpus):
    _, tokens, emb, fam, _ = corpus
    split = ThemeModel(min_themes=9, max_themes=9, merge_threshold=None, random_state=0).fit(emb, tokens)
    merged = ThemeModel(min_themes=9, max_themes=9, merge_threshold=0.5, random_state=0).fit(emb, tokens)
    assert len(complaint_themes(split)) == 9
    assert len(complaint_themes(merged)) < 9
    assert purity(merged.labels_, fam) >= 0.9


def test_merge_close_groups_only_similar_centroids():
    c = normalize(np.array([[1, 0, 0], [0.99, 0.1, 0], [0, 1, 0], [0, 0, 1]], dtype=np.float32))
    groups = merge_close(c, np.array([10, 5, 8, 3]), 0.95)
    assert groups == [[0, 1], [2], [3]]


def test_unfitted_model_raises():
    with pytest.raises(NotFittedError):
        ThemeModel().assign(np.zeros((1, 4), dtype=np.float32))


def test_save_load_round_trip(corpus, fitted, tmp_path):
    *_, embed = corpus
    fitted.save(tmp_path / "themes")
    files = {p.name for p in (tmp_path / "themes").iterdir()}
    assert {"config.json", "manifest.json", "centroids.npy", "themes.json"} <= files
    assert not any(name.endswith((".pkl", ".pickle")) for name in files)
    loaded = ThemeModel.load(tmp_path / "themes")
    assert loaded.get_params() == fitted.get_params()
    assert [t.to_dict() for t in loaded.themes_] == [t.to_dict() for t in fitted.themes_]
    assert loaded.fingerprint_ == fitted.fingerprint_
    emb_new, _ = embed(make(FAMILIES["排队"], 5, random.Random(1)))
    for a, b in zip(loaded.assign(emb_new), fitted.assign(emb_new), strict=True):
        np.testing.assert_array_equal(a, b)


def test_loaded_model_keeps_updating_with_fresh_ids(corpus, fitted, tmp_path):
    *_, embed = corpus
    fitted.save(tmp_path / "m")
    loaded = ThemeModel.load(tmp_path / "m")
    emb_new, toks = embed(make(NEW_FAMILY, 30, random.Random(5)))
    lineage = loaded.update(emb_new, toks)
    assert lineage.new == [fitted.next_id_]
    assert lineage.summary()["new"] == lineage.new


def test_load_rejects_a_folder_without_manifest(tmp_path):
    with pytest.raises(ConfigError):
        ThemeModel.load(tmp_path)


def test_npmi_coherence_is_finite_and_handles_unknown_words(corpus):
    _, tokens, *_ = corpus
    scores = npmi_coherence([["排队", "网点", "窗口"], ["不存在的词", "排队"], []], tokens)
    assert len(scores) == 3 and all(np.isfinite(scores))
    assert scores[0] > 0 and scores[1] == 0.0 and scores[2] == 0.0


def test_lda_baseline_runs_and_round_trips(corpus, tmp_path):
    _, tokens, _, fam, _ = corpus
    lda = LdaThemeModel(n_themes=5, passes=5, no_below=2, random_state=0).fit([*tokens, []])
    assert len(lda.themes_) == 5 and lda.labels_[-1] == -1
    assert all(t.label and np.isfinite(t.coherence) for t in lda.themes_)
    assert purity(lda.labels_[:-1], fam) > 0.5
    lda.save(tmp_path / "lda")
    loaded = LdaThemeModel.load(tmp_path / "lda")
    assert [t.to_dict() for t in loaded.themes_] == [t.to_dict() for t in lda.themes_]
    np.testing.assert_array_equal(loaded.assign(tokens[:20])[0], lda.assign(tokens[:20])[0])
    with pytest.raises(NotFittedError):
        LdaThemeModel().assign(tokens[:1])
