"""Server time of the review queue over 100,000 claims and of a claim page with 200 highlights.

Fills a scratch PostgreSQL database (its name must contain "bench"; it is emptied of claims first),
then requests each page through Django's test client in this process and prints p50/p95 of the time
spent in Django (middleware, view, queries, template) and the number of SQL queries per request.

    createdb -h 127.0.0.1 -U postgres copydesk_bench_cl
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/copydesk_bench_cl .venv/bin/python bench/claims_speed.py
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group, User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.roles import ANALYST, EDITOR  # noqa: E402
from annotations.models import Annotation, Tag  # noqa: E402
from articles.models import Article, Source  # noqa: E402
from claims import services  # noqa: E402
from claims.models import Claim, ClaimAnnotation, Comment  # noqa: E402

STATUSES = ["unreviewed"] * 5 + ["in_review", "disputed", "disputed", "reopened", "supported", "false", "misleading"]
FIGURES = ["11,000 troops", "12,000 troops", "about 11,000 troops", "between 10,000 and 12,000 troops", "11,500 troops"]


def ensure_database() -> None:
    name = connection.settings_dict["NAME"]
    if connection.vendor != "postgresql" or "bench" not in name:
        sys.exit("Point DATABASE_URL at a PostgreSQL database whose name contains 'bench'.")
    call_command("migrate", verbosity=0)


def user(username: str, role: str) -> User:
    person, _ = User.objects.get_or_create(username=username)
    person.groups.add(Group.objects.get(name=role))
    return person


def fill(n_claims: int, n_highlights: int, analyst: User, editor: User) -> Claim:
    """N claims with one highlight each, and one claim carried by `n_highlights` articles."""
    with connection.cursor() as cursor:
        # TRUNCATE fires no row trigger, so the append-only log can be emptied for a fresh run.
        cursor.execute(
            "TRUNCATE claims_event, claims_claimoutlet, claims_notification, claims_comment_mentions, claims_comment,"
            " claims_evidence, claims_verdict, claims_extractedvalue, claims_suggestion, claims_claimannotation,"
            " claims_claim, annotations_annotation_tags, annotations_annotation RESTART IDENTITY CASCADE"
        )
    sources = [
        Source.objects.get_or_create(name=f"Bench outlet {i}", defaults={"slug": f"bench-{i}"})[0] for i in range(50)
    ]
    tag, _ = Tag.objects.get_or_create(name="Bench figure")
    start = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    need = 2000 + n_highlights - Article.objects.filter(title__startswith="Bench article").count()
    articles = []
    for i in range(max(0, need)):
        figure = FIGURES[i % len(FIGURES)]
        article = Article(
            source=sources[i % len(sources)],
            title=f"Bench article {i}",
            body=f"Officials said on Tuesday that {figure} had gathered near the border. " * 3
            + "\n\nTalks continue in the capital, and the council meets again next week.",
            published_at=start + datetime.timedelta(hours=i),
        )
        article.prepare_text()
        articles.append(article)
    Article.objects.bulk_create(articles, batch_size=2000)
    articles = list(Article.objects.filter(title__startswith="Bench article").order_by("id")[: 2000 + n_highlights])

    rng = random.Random(7)
    now = timezone.now()
    claims = [
        Claim(
            statement=f"Bench claim {i}: {FIGURES[i % len(FIGURES)]} gathered near the border",
            status=rng.choice(STATUSES),
            created_by=analyst,
            article_count=rng.randint(1, 40),
            outlet_count=rng.randint(1, 12),
        )
        for i in range(n_claims)
    ]
    Claim.objects.bulk_create(claims, batch_size=5000)
    Claim.objects.update(created_at=now)  # one statement; ages then differ by id order only
    claim_ids = list(Claim.objects.order_by("id").values_list("id", flat=True))
    annotations = []
    for i in range(len(claim_ids)):
        article = articles[i % 2000]
        quote = article.body[31 : 31 + len(FIGURES[i % len(FIGURES)])]
        annotations.append(Annotation(article=article, start=31, end=31 + len(quote), quote=quote, author=analyst))
    created = Annotation.objects.bulk_create(annotations, batch_size=5000)
    ClaimAnnotation.objects.bulk_create(
        (ClaimAnnotation(claim_id=c, annotation=a, linked_by=analyst) for c, a in zip(claim_ids, created, strict=True)),
        batch_size=5000,
    )

    # One highlight in twenty carries the tag the queue can filter on.
    Annotation.tags.through.objects.bulk_create(
        (Annotation.tags.through(annotation_id=a.pk, tag_id=tag.pk) for a in created[::20]), batch_size=5000
    )
    with connection.cursor() as cursor:
        # What claim_refresh_counts keeps for claims linked one by one, in one statement for the bulk load.
        cursor.execute(
            "INSERT INTO claims_claimoutlet (claim_id, source_id) SELECT DISTINCT l.claim_id, a.source_id"
            " FROM claims_claimannotation l JOIN annotations_annotation n ON n.id = l.annotation_id"
            " JOIN articles_article a ON a.id = n.article_id ON CONFLICT DO NOTHING"
        )

    big = services.claim_create(
        statement="Troops gathered near the border (bench, many highlights)", created_by=analyst
    )
    for article in articles[2000 : 2000 + n_highlights]:
        phrase = next(f for f in FIGURES if f in article.body)
        begin = article.body.index(phrase)
        annotation = Annotation.objects.create(
            article=article, start=begin, end=begin + len(phrase), quote=phrase, author=analyst
        )
        services.claim_link_annotation(claim=big, annotation=annotation, user=analyst)
    for n in range(20):
        services.comment_create(claim=big, author=editor if n % 2 else analyst, body=f"Comment {n} on the figures.")
    services.claim_set_verdict(
        claim=big, user=editor, status="disputed", rationale="Outlets disagree.", evidence=[{"note": "Bench"}]
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return big


def measure(client: Client, url: str, params: dict | None, runs: int) -> tuple[float, float, int, int]:
    for _ in range(3):
        client.get(url, params or {})
    times, queries = [], set()
    status = 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            response = client.get(url, params or {})
            times.append((time.perf_counter() - began) * 1000)
        status = response.status_code
        queries.add(len(captured.captured_queries))
    times.sort()
    p95 = times[max(0, round(0.95 * len(times)) - 1)]
    return statistics.median(times), p95, max(queries), status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--highlights", type=int, default=200)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--reuse", action="store_true", help="Measure the data a previous run left.")
    options = parser.parse_args()

    ensure_database()
    analyst, editor = user("bench-analyst", ANALYST), user("bench-editor", EDITOR)
    if options.reuse:
        big = Claim.objects.get(statement__startswith="Troops gathered near the border (bench")
    else:
        began = time.perf_counter()
        big = fill(options.claims, options.highlights, analyst, editor)
        print(f"filled in {time.perf_counter() - began:.0f} s")
    client = Client()
    client.force_login(editor)
    source = Source.objects.get(name="Bench outlet 3")
    queue = reverse("claims:queue")
    waiting = Claim.objects.filter(status__in=Claim.NEEDS_REVIEW).count()
    print(f"claims: {Claim.objects.count():,}, needing review: {waiting:,}")
    print(f"claim page: {big.links.count()} highlights, {Comment.objects.filter(claim=big).count()} comments")
    print(f"{'page':44} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
    cases = [
        ("queue, first page", queue, None),
        ("queue, status=disputed", queue, {"status": "disputed"}),
        ("queue, outlet filter", queue, {"outlet": source.pk}),
        ("queue, tag filter", queue, {"tag": Tag.objects.get(name="Bench figure").pk}),
        ("queue, assignee=none", queue, {"assignee": "none"}),
        ("queue, page 100", queue, {"page": 100}),
        ("queue partial (htmx)", queue, None),
        ("queue count, asked by the page after load", queue, {"count": "1"}),
        ("queue count, outlet filter", queue, {"count": "1", "outlet": source.pk}),
        (f"claim page, {options.highlights} highlights", reverse("claims:detail", args=[big.pk]), None),
    ]
    for label, url, params in cases:
        if "htmx" in label:
            client.defaults.update({"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "queue-results"})
        p50, p95, queries, status = measure(client, url, params, options.runs)
        client.defaults.pop("HTTP_HX_REQUEST", None)
        client.defaults.pop("HTTP_HX_TARGET", None)
        print(f"{label:44} {p50:8.1f} {p95:8.1f} {queries:8d}  (HTTP {status})")


if __name__ == "__main__":
    main()
