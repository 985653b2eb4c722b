"""Check duplicate detection on a folder of real articles about one event (default: ../shared/seeds).

Imports each .txt file (first line the title, the rest the body) into a scratch database, runs detection
and prints every relation found between them.

    createdb -h 127.0.0.1 -U postgres copydesk_bench_dd
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/copydesk_bench_dd .venv/bin/python bench/dedup_seeds.py
"""

import argparse
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

from articles import services as article_services  # noqa: E402
from dedup import minhash, services  # noqa: E402
from dedup.models import ArticleRelation  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=ROOT.parent / "shared" / "seeds")
    args = parser.parse_args()
    if "bench" not in connection.settings_dict["NAME"]:
        sys.exit("Set DATABASE_URL to a scratch database whose name contains 'bench'; it is emptied.")
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE articles_article, articles_source RESTART IDENTITY CASCADE")
    source = article_services.source_get_or_create(name="Seeds")
    articles = []
    for path in sorted(args.folder.glob("*.txt")):
        title, _, body = path.read_text(encoding="utf-8").strip().partition("\n")
        articles.append(article_services.article_create(source=source, title=title, body=body, external_id=path.stem))
    services.articles_link(article_ids=[a.pk for a in articles])
    print(f"{len(articles)} articles from {args.folder}")
    for one in articles:
        for other in articles:
            if one.pk < other.pk:
                a, b = minhash.shingles(one.body), minhash.shingles(other.body)
                print(
                    f"  {one.external_id} / {other.external_id}: jaccard {minhash.jaccard(a, b):.3f}, "
                    f"containment {minhash.containment(a, b):.3f}"
                )
    relations = list(ArticleRelation.objects.select_related("a", "b"))
    print(f"relations written: {len(relations)}")
    for relation in relations:
        print(f"  {relation.a.external_id} {relation.kind} {relation.b.external_id} ({relation.score:.3f})")


if __name__ == "__main__":
    main()
