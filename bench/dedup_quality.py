"""Precision and recall of duplicate, rewrite and story detection on real news texts.

Two parts, both on the English pairs of SemEval-2022 Task 8 (../shared/data/semeval2022-task8):

1. Copies. Distinct English texts (any two sharing more than a third of their shingles are dropped, so
   the originals are not copies of each other) get syndication-style edits: whitespace and Unicode form
   (exact), a light edit, a new headline with boilerplate, truncation to half, OCR-like typos, an
   inserted paragraph, and a heavy edit combining them. Unrelated texts get the same site footer.
   Everything is stored as articles and run through the detection service; an exact or near edge is
   right when both ends come from the same original.
2. Stories. For each rated pair, the rewrite/story score (dedup.semantic) against the human `Overall`
   rating (1 very similar .. 4 very dissimilar): Pearson correlation with the negated rating,
   ROC-AUC for separating pairs rated similar (mean Overall <= 2; <= 1.5 also printed) from the rest,
   and precision/recall of a story-or-rewrite edge at the service's threshold. Document frequencies
   come from all the English texts. With the optional embedding model installed
   (requirements-semantic.txt), the combined score is reported too.

    createdb -h 127.0.0.1 -U postgres copydesk_qbench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/copydesk_qbench .venv/bin/python bench/dedup_quality.py
"""

import argparse
import csv
import os
import random
import sys
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models.signals import post_save  # noqa: E402

from articles import services as article_services  # noqa: E402
from articles.models import Article  # noqa: E402
from dedup import embeddings, minhash, relate, semantic, services  # noqa: E402
from dedup.models import ArticleRelation  # noqa: E402
from dedup.receivers import link_saved_article  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "semeval2022-task8" / "training_set.csv"
FOOTER = (
    "Sign up for our morning newsletter and get the day's top stories delivered to your inbox. "
    "Follow us on social media for breaking news, and send your tips to our newsroom at any time."
)
INSERTED = (
    "Editor's note: this article has been updated with additional reporting from our correspondents "
    "and a statement received after publication."
)


def english_pairs() -> list[dict]:
    csv.field_size_limit(1 << 30)
    with DATA.open(encoding="utf-8") as handle:
        return [row for row in csv.DictReader(handle) if row["lang1"] == row["lang2"] == "en"]


def split_title(text: str) -> tuple[str, str]:
    """The texts start with their headline, run into the body; take the first ten words as the title."""
    words = text.split()
    return " ".join(words[:10]), " ".join(words[10:])


# Syndication-style edits ------------------------------------------------------------------------


def respace(text: str) -> str:
    return unicodedata.normalize("NFD", "  ".join(text.split(" "))) + "\n"


def light_edit(text: str, rng: random.Random) -> str:
    words = text.split()
    for index in rng.sample(range(len(words)), k=max(1, len(words) // 60)):
        words[index] = words[index].upper() if not words[index].isdigit() else str(int(words[index]) + 1)
    return " ".join(words) + "\n\n" + FOOTER


def new_headline(text: str, rng: random.Random) -> str:
    return "UPDATED: " + " ".join(text.split()[10:]) + "\n\n" + FOOTER


def truncate_half(text: str, rng: random.Random) -> str:
    words = text.split()
    return " ".join(words[: len(words) // 2])


def ocr_typos(text: str, rng: random.Random) -> str:
    words = text.split()
    for index in range(5, len(words), 12):
        word = words[index]
        if len(word) > 3:
            words[index] = word[0] + word[2] + word[1] + word[3:]
    return " ".join(words)


def insert_paragraph(text: str, rng: random.Random) -> str:
    words = text.split()
    middle = len(words) // 2
    return " ".join(words[:middle]) + "\n\n" + INSERTED + "\n\n" + " ".join(words[middle:])


def heavy_edit(text: str, rng: random.Random) -> str:
    """New headline, every 20th word replaced, a paragraph inserted, the last tenth cut, a footer."""
    words = text.split()[10:]
    words = words[: len(words) * 9 // 10]
    for index in range(7, len(words), 20):
        words[index] = rng.choice(["reportedly", "officials", "meanwhile", "local", "new"])
    middle = len(words) // 2
    return (
        "BREAKING " + " ".join(words[:middle]) + "\n\n" + INSERTED + "\n\n" + " ".join(words[middle:]) + "\n\n" + FOOTER
    )


NEAR_EDITS = {
    "light edit": light_edit,
    "new headline + footer": new_headline,
    "truncated to half": truncate_half,
    "OCR-like typos": ocr_typos,
    "paragraph inserted": insert_paragraph,
    "heavy edit": heavy_edit,
}


def distinct_texts(rows: list[dict], minimum_words: int) -> tuple[list[str], int]:
    """English texts, none a copy of another (containment of shingles at most 1/3)."""
    texts, seen = [], set()
    for row in rows:
        for text in (row["text1"].strip(), row["text2"].strip()):
            if text not in seen and len(text.split()) >= minimum_words:
                seen.add(text)
                texts.append(text)
    shingled = [minhash.shingles(text) for text in texts]
    keep, dropped = [], 0
    for index, shingles in enumerate(shingled):
        if any(minhash.containment(shingles, shingled[other]) > 1 / 3 for other in keep):
            dropped += 1
            continue
        keep.append(index)
    return [texts[index] for index in keep], dropped


def copies_benchmark(rows: list[dict], originals_wanted: int, seed: int) -> None:
    rng = random.Random(seed)
    texts, dropped = distinct_texts(rows, minimum_words=80)
    print(f"Copies: {len(texts)} distinct English texts of 80+ words ({dropped} dropped as copies of another)")
    originals = texts[:originals_wanted]
    unrelated = texts[originals_wanted:]
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE articles_article, articles_source RESTART IDENTITY CASCADE")
    outlet = article_services.source_get_or_create(name="Wire")
    site = article_services.source_get_or_create(name="Site with a footer")
    family: dict[int, int] = {}
    expected: list[tuple[int, int, str]] = []
    ids: list[int] = []

    def store(text: str, source, origin: int | None) -> int:
        title, body = split_title(text)
        article = article_services.article_create(source=source, title=title, body=body)
        ids.append(article.pk)
        family[article.pk] = origin if origin is not None else article.pk
        return article.pk

    for text in originals:
        origin = store(text, outlet, None)
        expected.append((origin, store(respace(text), outlet, origin), "exact"))
        for name, edit in NEAR_EDITS.items():
            expected.append((origin, store(edit(text, rng), outlet, origin), name))
    for text in unrelated:
        store(text + "\n\n" + FOOTER, site, None)

    started = time.perf_counter()
    for start in range(0, len(ids), 500):
        services.articles_link(article_ids=ids[start : start + 500])
    elapsed = time.perf_counter() - started
    edges = {
        (a, b): kind
        for a, b, kind in ArticleRelation.objects.filter(kind__in=["exact", "near"]).values_list("a_id", "b_id", "kind")
    }
    print(f"  {len(ids)} articles ({len(unrelated)} unrelated texts sharing one footer), detection {elapsed:.1f} s")
    print(f"  {'relation':28} {'pairs':>6} {'found':>6} {'recall':>7}")
    for name in ["exact", *NEAR_EDITS]:
        pairs = [(min(o, c), max(o, c)) for o, c, kind in expected if kind == name]
        want = "exact" if name == "exact" else "near"
        found = sum(1 for pair in pairs if edges.get(pair) == want)
        print(f"  {name:28} {len(pairs):>6} {found:>6} {found / len(pairs):>7.3f}")
    for kind in ("exact", "near"):
        written = [pair for pair, found in edges.items() if found == kind]
        right = sum(1 for a, b in written if family[a] == family[b])
        wanted = [p for p in expected if (p[2] == "exact") == (kind == "exact")]
        hits = sum(1 for o, c, _ in wanted if edges.get((min(o, c), max(o, c))) == kind)
        precision = right / len(written) if written else 1.0
        print(
            f"  {kind}: precision {precision:.3f} ({right}/{len(written)} edges within a family), "
            f"recall {hits / len(wanted):.3f} ({hits}/{len(wanted)})"
        )
    footer_edges = sum(1 for a, b in edges if family[a] != family[b])
    print(f"  edges between different stories (footer shared): {footer_edges}")


def pearson(x: np.ndarray, y: np.ndarray) -> float:
    return float(np.corrcoef(x, y)[0, 1])


def roc_auc(scores: np.ndarray, positive: np.ndarray) -> float:
    pos, neg = scores[positive], scores[~positive]
    greater = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(greater / (len(pos) * len(neg)))


def stories_benchmark(rows: list[dict]) -> None:
    rating = np.array([float(row["Overall"]) for row in rows])
    profiles = [
        (semantic.Profile.of(*split_title(r["text1"])), semantic.Profile.of(*split_title(r["text2"]))) for r in rows
    ]
    unique = {}
    for row, pair in zip(rows, profiles, strict=True):
        unique[row["text1"]], unique[row["text2"]] = pair
    idf = semantic.Idf.from_profiles(unique.values())
    print(f"\nStories: {len(rows)} English SemEval pairs, document frequencies from {len(unique)} texts")
    similar = rating <= 2
    print(f"  pairs rated similar (mean Overall <= 2): {similar.sum()}, very similar (<= 1.5): {(rating <= 1.5).sum()}")

    started = time.perf_counter()
    signals = [semantic.similarity(one, other, idf) for one, other in profiles]
    elapsed = time.perf_counter() - started
    variants = {
        "term cosine (TF-IDF)": np.array([s.terms for s in signals]),
        "root term cosine": np.sqrt([s.terms for s in signals]),
        "root lead cosine": np.sqrt([s.lead for s in signals]),
        "score without embeddings": np.array([s.score for s in signals]),
    }
    if embeddings.enabled():
        started_embedding = time.perf_counter()
        texts = [t for row in rows for t in (row["text1"], row["text2"])]
        vectors = embeddings.encode(texts)
        encode_rate = len(texts) / (time.perf_counter() - started_embedding)
        cosines = np.array([float(vectors[2 * i] @ vectors[2 * i + 1]) for i in range(len(rows))])
        variants["embedding cosine (all-MiniLM-L6-v2)"] = cosines
        variants["score with embeddings"] = np.array(
            [
                semantic.similarity(one, other, idf, float(c)).score
                for (one, other), c in zip(profiles, cosines, strict=True)
            ]
        )
        print(f"  embedding model on {embeddings.device()}: {encode_rate:.1f} texts/s")
    else:
        print("  embedding model not installed: term signals only")
    print(f"  {'signal':38} {'Pearson':>8} {'AUC<=2':>7} {'AUC<=1.5':>9}")
    for name, scores in variants.items():
        print(
            f"  {name:38} {pearson(scores, -rating):>8.3f} {roc_auc(scores, similar):>7.3f} "
            f"{roc_auc(scores, rating <= 1.5):>9.3f}"
        )
    for name in [n for n in variants if n.startswith("score")]:
        predicted = variants[name] >= relate.STORY_MIN_SCORE
        hits = int((predicted & similar).sum())
        print(
            f"  {name}: a story edge at >= {relate.STORY_MIN_SCORE}: precision {hits / max(predicted.sum(), 1):.3f}, "
            f"recall {hits / similar.sum():.3f}"
        )
    print(f"  term scoring: {len(rows) / elapsed:,.0f} pairs/s")

    # The weights of the root cosines: a least-squares fit of the rating, printed for reference.
    x = np.column_stack([variants["root term cosine"], variants["root lead cosine"], np.ones(len(rows))])
    weights, *_ = np.linalg.lstsq(x, -rating, rcond=None)
    share = weights[0] / (weights[0] + weights[1])
    print(f"  least-squares weights of root term and lead cosines: {share:.2f} / {1 - share:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--originals", type=int, default=150, help="texts that get edited copies")
    parser.add_argument("--seed", type=int, default=20261130)
    args = parser.parse_args()
    if "bench" not in connection.settings_dict["NAME"]:
        sys.exit("Set DATABASE_URL to a scratch database whose name contains 'bench'; it is emptied.")
    if not DATA.exists():
        sys.exit(f"{DATA} not found.")
    call_command("migrate", verbosity=0)
    # Detection runs below, timed, in chunks; not once per saved article as the signal would.
    post_save.disconnect(link_saved_article, sender=Article)
    rows = english_pairs()
    copies_benchmark(rows, args.originals, args.seed)
    stories_benchmark(rows)


if __name__ == "__main__":
    main()
