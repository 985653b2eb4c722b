"""Check duplicate detection on a folder of real articles about one event (default: ../shared/seeds).

Imports each .txt file (first line the title, the rest the body) into a scratch database, all published
the same day, runs detection (exact, near, rewrite and story) and prints every relation found between
them and the stories they form. The English SemEval texts (../shared/data/semeval2022-task8), dated
months earlier so that they are never candidates, are stored and profiled first as the corpus whose
document frequencies weigh the terms, as an installation's earlier articles would.

    createdb -h 127.0.0.1 -U postgres copydesk_bench_dd
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/copydesk_bench_dd .venv/bin/python bench/dedup_seeds.py
"""

import argparse
import csv
import datetime
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models.signals import post_save  # noqa: E402

from articles import services as article_services  # noqa: E402
from articles.models import Article  # noqa: E402
from dedup import minhash, relate, semantic, services  # noqa: E402
from dedup.models import ArticleRelation, Story  # noqa: E402
from dedup.receivers import link_saved_article  # noqa: E402

SEMEVAL = ROOT.parent / "shared" / "data" / "semeval2022-task8" / "training_set.csv"
DAY = datetime.datetime(2026, 11, 1, 9, tzinfo=datetime.UTC)


def store_background() -> int:
    """The English SemEval texts, two months before the seeds; returns how many were stored."""
    if not SEMEVAL.exists():
        return 0
    csv.field_size_limit(1 << 30)
    with SEMEVAL.open(encoding="utf-8") as handle:
        texts = {
            t.strip()
            for r in csv.DictReader(handle)
            if r["lang1"] == r["lang2"] == "en"
            for t in (r["text1"], r["text2"])
        }
    source = article_services.source_get_or_create(name="Background")
    ids = []
    for text in sorted(texts):
        words = text.split()
        article = article_services.article_create(
            source=source,
            title=" ".join(words[:10]),
            body=" ".join(words[10:]),
            published_at=DAY - datetime.timedelta(days=60),
        )
        ids.append(article.pk)
    for start in range(0, len(ids), 500):
        relate.articles_relate(article_ids=ids[start : start + 500])
    return len(ids)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=ROOT.parent / "shared" / "seeds")
    args = parser.parse_args()
    if "bench" not in connection.settings_dict["NAME"]:
        sys.exit("Set DATABASE_URL to a scratch database whose name contains 'bench'; it is emptied.")
    call_command("migrate", verbosity=0)
    # Detection runs below, timed, in chunks; not once per saved article as the signal would.
    post_save.disconnect(link_saved_article, sender=Article)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE articles_article, articles_source RESTART IDENTITY CASCADE")
    background = store_background()
    articles = []
    for path in sorted(args.folder.glob("*.txt")):
        title, _, body = path.read_text(encoding="utf-8").strip().partition("\n")
        # One outlet per file: the seeds come from different outlets.
        source = article_services.source_get_or_create(name=f"Outlet {path.stem[:3]}")
        articles.append(
            article_services.article_create(
                source=source, title=title, body=body, external_id=path.stem, published_at=DAY
            )
        )
    ids = [a.pk for a in articles]
    services.articles_link(article_ids=ids)
    relate.articles_relate(article_ids=ids)
    print(f"{len(articles)} articles from {args.folder} ({background} background articles for term weights)")
    for one in articles:
        for other in articles:
            if one.pk < other.pk:
                a, b = minhash.shingles(one.body), minhash.shingles(other.body)
                print(
                    f"  {one.external_id} / {other.external_id}: jaccard {minhash.jaccard(a, b):.3f}, "
                    f"containment {minhash.containment(a, b):.3f}"
                )
    relations = list(ArticleRelation.objects.filter(a__in=ids, b__in=ids).select_related("a", "b").order_by("a", "b"))
    print(f"relations written among them: {len(relations)}")
    for relation in relations:
        print(
            f"  {relation.a.external_id} {relation.kind} {relation.b.external_id} "
            f"({relation.score:.3f}) {relation.details}"
        )
    print(
        f"rewrite thresholds: score >= {relate.REWRITE_MIN_SCORE}, sentence coverage >= {semantic.REWRITE_MIN_COVERAGE}"
    )
    for story in Story.objects.filter(memberships__article__in=ids).distinct():
        members = sorted(story.memberships.values_list("article__external_id", flat=True))
        print(f"story {story.pk}: {story.article_count} articles, canonical {story.canonical.external_id}: {members}")


if __name__ == "__main__":
    main()
