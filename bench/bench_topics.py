"""Theme discovery vs the 9 real product categories of online_shopping_9_cats.csv (NMI / ARI).

    python bench/bench_topics.py [--seeds 0,1,2] [--scale 100000] [--json PATH]

Every method gets 9 themes and must put every record somewhere (an outlier label counts as one more
cluster): voc's ThemeModel on voc's default embedder, TF-IDF -> SVD 256 -> k-means, and gensim LDA. Also
reports the number of themes voc picks by itself, the labels of voc's 9 themes, and the fit time of theme
discovery on ``--scale`` records (the file repeated) given embeddings.
"""

from __future__ import annotations

import argparse
import csv
import resource
import statistics
import time
import tracemalloc

import numpy as np
from _common import SHARED, print_table, write_json
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

DATA = SHARED / "online_shopping_9_cats.csv"


def load() -> tuple[list[str], np.ndarray]:
    with DATA.open(encoding="utf-8") as fh:
        rows = [(r["cat"], r["review"].strip()) for r in csv.DictReader(fh) if (r.get("review") or "").strip()]
    return [t for _, t in rows], np.array([c for c, _ in rows])


def embed(texts: list[str], tokens: list[list[str]], seed: int) -> tuple[np.ndarray, str, float]:
    """voc's default embedder fitted on the corpus (unsupervised), its name and the fit+encode seconds.

    Until ``voc.embed`` exists the benchmark falls back to TF-IDF over jieba words -> SVD 256 and says so.
    """
    t0 = time.perf_counter()
    try:
        from voc.embed import CorpusEmbedder
    except ImportError:
        from sklearn.decomposition import TruncatedSVD
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.preprocessing import normalize

        x = TfidfVectorizer(analyzer=lambda d: d, min_df=2, sublinear_tf=True).fit_transform(tokens)
        emb = normalize(TruncatedSVD(256, random_state=seed).fit_transform(x)).astype(np.float32)
        return emb, "STAND-IN sublinear TF-IDF > SVD256 (voc.embed missing)", time.perf_counter() - t0
    model = CorpusEmbedder(random_state=seed).fit(texts)
    emb = model.encode(texts)
    return emb, f"voc.embed.CorpusEmbedder {model.get_params()}", time.perf_counter() - t0


def score(truth: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    return {
        "nmi": float(normalized_mutual_info_score(truth, labels)),
        "ari": float(adjusted_rand_score(truth, labels)),
        "clusters": len(np.unique(labels)),
    }


def run(fn, measure_memory: bool) -> tuple[float, float | None, object]:
    """Seconds, tracemalloc peak MB (only when asked: tracing slows Python code) and the result."""
    if measure_memory:
        tracemalloc.start()
    t0 = time.perf_counter()
    out = fn()
    secs = time.perf_counter() - t0
    peak = None
    if measure_memory:
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return secs, peak, out


def kmeans_baseline(tokens: list[list[str]], seed: int) -> np.ndarray:
    from sklearn.cluster import KMeans
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    x = TfidfVectorizer(analyzer=lambda d: d).fit_transform(tokens)
    z = normalize(TruncatedSVD(256, random_state=seed).fit_transform(x))
    return KMeans(9, random_state=seed).fit_predict(z)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--scale", type=int, default=100_000)
    ap.add_argument("--json")
    args = ap.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    if not DATA.exists():
        raise SystemExit(f"{DATA} not found: this benchmark needs ../shared/data")

    from lda_baseline import LdaThemeModel

    from voc.text.segment import get_segmenter
    from voc.topics import ThemeModel

    texts, truth = load()
    seg = get_segmenter()
    t0 = time.perf_counter()
    tokens = [seg.words(t) for t in texts]
    seg_secs = time.perf_counter() - t0
    emb, embedder, embed_secs = embed(texts, tokens, 0)
    print(f"{len(texts)} reviews; segmentation {seg_secs:.1f} s; {embedder}: {embed_secs:.1f} s, dim {emb.shape[1]}")

    methods = {
        "voc ThemeModel (9, assign_all)": lambda s: ThemeModel(n_themes=9, assign_all=True, random_state=s)
        .fit(emb, tokens)
        .labels_,
        "TF-IDF > SVD256 > k-means": lambda s: kmeans_baseline(tokens, s),
        "gensim LdaMulticore (5 passes)": lambda s: LdaThemeModel(n_themes=9, workers=2, random_state=s).fit(tokens),
    }
    per_run, rows, models = [], [], {}
    for name, fn in methods.items():
        results = []
        for i, s in enumerate(seeds):
            secs, peak, out = run(lambda fn=fn, s=s: fn(s), measure_memory=False)
            labels = out.labels_ if isinstance(out, LdaThemeModel) else out
            if isinstance(out, LdaThemeModel):
                models.setdefault(name, out)
            r = {"method": name, "seed": s, "seconds": secs, **score(truth, labels)}
            if isinstance(out, LdaThemeModel):
                r["c_npmi"] = float(np.mean([t.coherence for t in out.themes_]))
            results.append(r)
            per_run.append(r)
            print(f"  {name} seed {s}: NMI {r['nmi']:.3f} ARI {r['ari']:.3f} {secs:.1f} s", flush=True)
            if i == 0:
                _, peak, _ = run(lambda fn=fn, s=s: fn(s), measure_memory=True)
                mem = peak
        row = {"method": name}
        for key in ("nmi", "ari", "seconds"):
            vals = [r[key] for r in results]
            row[key] = statistics.mean(vals)
            row[key + "_sd"] = statistics.pstdev(vals)
        row["peak_mb"] = mem
        if "c_npmi" in results[0]:
            row["c_npmi"] = statistics.mean(r["c_npmi"] for r in results)
        rows.append(row)

    voc9 = ThemeModel(n_themes=9, assign_all=True, random_state=seeds[0]).fit(emb, tokens)
    rows[0]["c_npmi"] = float(np.mean([t.coherence for t in voc9.themes_]))
    print_table(f"9 themes vs 9 categories, mean and sd over seeds {seeds}", rows)

    themes = [{"id": t.id, "label": t.label, "size": t.size, "c_npmi": t.coherence,
               "keywords": " ".join(w for w, _ in t.keywords[:8])} for t in voc9.themes_]
    print_table(f"voc's 9 themes (seed {seeds[0]})", themes)
    for t in voc9.themes_[:3]:
        print(f"  {t.label}: " + " | ".join(texts[r][:40] for r in t.representatives[:3]))

    auto_rows = []
    for assign_all in (False, True):
        secs, _, auto = run(
            lambda a=assign_all: ThemeModel(assign_all=a, random_state=seeds[0]).fit(emb, tokens), False
        )
        auto_rows.append({"voc automatic k": "assign_all" if assign_all else "with outliers (-1)",
                          "k": len(auto.themes_), "outliers": int((auto.labels_ < 0).sum()),
                          "seconds": secs, **score(truth, auto.labels_)})
    print_table("voc's own number of themes (silhouette on a sample, then merging)", auto_rows)
    print("  silhouette by k:", {k: round(v, 3) for k, v in auto.k_scores_.items()})

    reps = -(-args.scale // len(texts))
    big_emb = np.vstack([emb] * reps)[: args.scale]
    big_tok = (tokens * reps)[: args.scale]
    scale_rows = []
    for label, kwargs in (("automatic k", {}), ("9 themes", {"n_themes": 9})):
        secs, _, _ = run(lambda kw=kwargs: ThemeModel(random_state=0, **kw).fit(big_emb, big_tok), False)
        scale_rows.append({"records": len(big_emb), "mode": label, "seconds": secs})
    print_table("theme discovery time given embeddings (the file repeated)", scale_rows)
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nprocess peak RSS {maxrss:.0f} MB")
    write_json(args.json, {"n": len(texts), "embedder": embedder, "embed_seconds": embed_secs,
                           "summary": rows, "runs": per_run, "themes": themes, "automatic": auto_rows,
                           "scale": scale_rows, "peak_rss_mb": maxrss})


if __name__ == "__main__":
    main()
