"""Benchmark of the reading page with 200 highlights: render, create, click-to-paint and 50 concurrent users.

Builds an article of about 2,000 words with 200 highlights (nested and overlapping ones included) in a
scratch PostgreSQL database, then measures with production settings (DEBUG off, hashed static files):

1. the full reading page rendered by the Django test client: median and p95 over N requests, and the
   number of queries;
2. creating a highlight: the service alone, and the htmx endpoint including the re-rendered body and panel;
3. in Chromium (Playwright) against gunicorn: from the click on a tag to the highlight painted;
4. a load test against gunicorn on 127.0.0.1: 50 concurrent users, 90% page reads and 10% creates.

    psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE copydesk_bench_ann"
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/copydesk_bench_ann .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/copydesk_bench_ann REDIS_URL=redis://127.0.0.1:6379/12 \
        .venv/bin/python bench/annotation_bench.py

The benchmark's own article, user and highlights are replaced on every run; the name must contain "bench".
"""

import argparse
import http.client
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "SECURE_SSL_REDIRECT": "0",
    "SESSION_COOKIE_SECURE": "0",
    "CSRF_COOKIE_SECURE": "0",
    "SECURE_HSTS_SECONDS": "0",
    "LOG_LEVEL": "WARNING",
}

WORDS = [
    "the",
    "minister",
    "said",
    "that",
    "officials",
    "in",
    "the",
    "northern",
    "province",
    "had",
    "moved",
    "about",
    "11,000",
    "residents",
    "away",
    "from",
    "the",
    "river",
    "on",
    "Tuesday",
    "while",
    "engineers",
    "inspected",
    "the",
    "spillway",
    "and",
    "the",
    "council",
    "promised",
    "a",
    "full",
    "report",
    "by",
    "July",
    "or",
    "August",
    "according",
    "to",
    "a",
    "statement",
    "issued",
    "late",
    "in",
    "the",
    "evening",
    "by",
    "the",
    "harbour",
    "authority",
]
EXTRA = ["café", "Zoë", "🇺🇦", "👩‍🔬", "東京", "قال"]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def summary(values_ms: list[float]) -> str:
    return f"median {statistics.median(values_ms):.1f} ms, p95 {percentile(values_ms, 95):.1f} ms (n={len(values_ms)})"


def build_body(rng: random.Random, words: int) -> str:
    paragraphs, count = [], 0
    while count < words:
        size = rng.randint(60, 110)
        text = " ".join(rng.choice(WORDS + EXTRA if rng.random() < 0.05 else WORDS) for _ in range(size))
        paragraphs.append(text[0].upper() + text[1:] + ".")
        count += size
    return "\n\n".join(paragraphs)


def word_spans(body: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r"\S+", body)]


def setup_data(highlights: int, seed: int):
    from django.contrib.auth.models import Group

    from accounts.roles import ANALYST
    from annotations.models import Annotation, Tag
    from articles.models import Article, Source

    django_user_model = __import__("django.contrib.auth", fromlist=["get_user_model"]).get_user_model()
    rng = random.Random(seed)
    Annotation.objects.filter(article__external_id="annotation-bench").delete()
    Article.objects.filter(external_id="annotation-bench").delete()
    source, _ = Source.objects.get_or_create(name="Bench Ledger")
    article = Article.objects.create(
        source=source,
        title="Bench: a long article with many highlights",
        body=build_body(rng, 2000),
        external_id="annotation-bench",
        language="en",
    )
    user, _ = django_user_model.objects.get_or_create(username="bench-analyst")
    user.groups.add(Group.objects.get(name=ANALYST))
    others = []
    for n in range(3):
        other, _ = django_user_model.objects.get_or_create(username=f"bench-colleague-{n}")
        other.groups.add(Group.objects.get(name=ANALYST))
        others.append(other)
    tags = list(Tag.objects.filter(is_active=True))
    spans = word_spans(article.body)
    made = []
    for n in range(highlights):
        first = rng.randrange(0, len(spans) - 12)
        last = first + rng.choice([0, 0, 1, 2, 4, 8, 11])  # short and long spans, so many overlap
        start, end = spans[first][0], spans[last][1]
        made.append(
            Annotation(
                article=article,
                start=start,
                end=end,
                quote=article.body[start:end],
                prefix=article.body[max(0, start - 32) : start],
                suffix=article.body[end : end + 32],
                author=rng.choice([user, *others]),
                note="Check against the ministry's figure." if n % 5 == 0 else "",
            )
        )
    made = Annotation.objects.bulk_create(made)
    through = Annotation.tags.through
    through.objects.bulk_create(
        [through(annotation_id=a.pk, tag_id=tags[i % len(tags)].pk) for i, a in enumerate(made)]
        + [through(annotation_id=a.pk, tag_id=tags[(i + 3) % len(tags)].pk) for i, a in enumerate(made) if i % 7 == 0]
    )
    return article, user, tags, spans


def bench_render(client, article, requests: int) -> tuple[list[float], list[float]]:
    """Page times with the highlight fragments rebuilt for every request (as after a change) and cached."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from annotations.services import article_highlights_changed

    url = article.get_absolute_url()
    for _ in range(20):
        assert client.get(url).status_code == 200
    article_highlights_changed(article.pk)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    cold_queries = len(queries)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    print(
        f"page: {len(response.content) / 1024:.0f} KiB of HTML, {response.content.count(b'<mark ')} marks, "
        f"{cold_queries} queries after a change, {len(queries)} when cached"
    )
    cold, warm = [], []
    for _ in range(requests):
        article_highlights_changed(article.pk)
        started = time.perf_counter()
        response = client.get(url)
        cold.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
        started = time.perf_counter()
        response = client.get(url)
        warm.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return cold, warm


def bench_create(client, article, user, tags, spans, count: int, seed: int) -> tuple[list[float], list[float]]:
    from django.urls import reverse

    from annotations import services
    from annotations.models import Annotation

    rng = random.Random(seed + 1)
    service_times, endpoint_times, made = [], [], []
    url = reverse("annotations:create", args=[article.pk])
    for n in range(count):
        first = rng.randrange(0, len(spans) - 5)
        start, end = spans[first][0], spans[first + rng.randint(0, 4)][1]
        if n % 2 == 0:
            started = time.perf_counter()
            annotation = services.annotation_create(
                article=article,
                start=start,
                end=end,
                quote=article.body[start:end],
                tags=[rng.choice(tags)],
                author=user,
                request_id=uuid.uuid4(),
            )
            service_times.append((time.perf_counter() - started) * 1000)
            made.append(annotation.pk)
        else:
            data = {
                "start": start,
                "end": end,
                "quote": article.body[start:end],
                "tags": rng.choice(tags).pk,
                "request_id": str(uuid.uuid4()),
            }
            started = time.perf_counter()
            response = client.post(url, data, HTTP_HX_REQUEST="true")
            endpoint_times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.content[:300]
    Annotation.objects.filter(article=article, author=user, client_request_id__isnull=False).delete()
    return service_times, endpoint_times


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(env: dict, port: int, workers: int, threads: int) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(threads),
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("gunicorn did not start")


def session_cookie(user) -> str:
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def bench_paint(port: int, article, session: str, clicks: int) -> list[float]:
    from django.conf import settings
    from playwright.sync_api import sync_playwright

    chromium = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    times = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context(base_url=f"http://127.0.0.1:{port}", viewport={"width": 1280, "height": 900})
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": f"http://127.0.0.1:{port}"}]
        )
        page = context.new_page()
        page.goto(article.get_absolute_url())
        rng = random.Random(7)
        for n in range(clicks):
            paragraph = rng.randrange(0, page.locator("#article-body > p").count())
            page.evaluate(
                """([index, seed]) => {
                  const p = document.querySelectorAll('#article-body > p')[index];
                  const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
                  const nodes = []; let node;
                  while ((node = walker.nextNode())) if (node.data.trim().length > 8) nodes.push(node);
                  const text = nodes[seed % nodes.length];
                  const range = document.createRange();
                  const from = text.data.search(/\\S/);
                  range.setStart(text, from);
                  range.setEnd(text, Math.min(text.data.length, from + 6));
                  const selection = getSelection(); selection.removeAllRanges(); selection.addRange(range);
                  delete document.body.dataset.lastPaintMs;
                  document.getElementById('article-body').dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
                }""",
                [paragraph, n * 13],
            )
            page.locator("#annotator-toolbar").wait_for(state="visible")
            page.locator("#annotator-toolbar button[data-tag-id]").first.click()
            page.wait_for_selector("body[data-last-paint-ms]")
            times.append(float(page.evaluate("document.body.dataset.lastPaintMs")))
        browser.close()
    return times


def load_test(port: int, article, session: str, users: int, seconds: float, create_share: float, think: float) -> None:
    from django.conf import settings

    path = article.get_absolute_url()
    create_path = f"/annotations/articles/{article.pk}/create/"
    body = article.body
    spans = word_spans(body)
    results: list[tuple[str, float, int]] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds
    cookie = f"{settings.SESSION_COOKIE_NAME}={session}"

    def user_loop(number: int) -> None:
        rng = random.Random(number)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", path, headers={"Cookie": cookie})
        first = connection.getresponse()
        page = first.read().decode()
        token = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
        csrf_cookie = re.search(r"csrftoken=([^;]+)", first.getheader("Set-Cookie") or "")
        cookies = cookie + (f"; csrftoken={csrf_cookie.group(1)}" if csrf_cookie else "")
        while time.monotonic() < stop_at:
            if think:
                # A person reads between actions: wait 0.5x to 1.5x the mean think time, as locust's between() does.
                time.sleep(rng.uniform(0.5 * think, 1.5 * think))
            kind = "create" if rng.random() < create_share else "read"
            try:
                started = time.perf_counter()
                if kind == "read":
                    connection.request("GET", path, headers={"Cookie": cookies})
                else:
                    first_word = rng.randrange(0, len(spans) - 4)
                    start, end = spans[first_word][0], spans[first_word + rng.randint(0, 3)][1]
                    form = urlencode(
                        {
                            "start": start,
                            "end": end,
                            "quote": body[start:end],
                            "tags": "",
                            "request_id": str(uuid.uuid4()),
                        }
                    )
                    connection.request(
                        "POST",
                        create_path,
                        body=form.encode(),
                        headers={
                            "Cookie": cookies,
                            "X-CSRFToken": token,
                            "HX-Request": "true",
                            "Content-Type": "application/x-www-form-urlencoded",
                            "Referer": f"http://127.0.0.1:{port}{path}",
                        },
                    )
                response = connection.getresponse()
                response.read()
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    results.append((kind, elapsed, response.status))
                    if response.status != 200:
                        errors.append(f"{kind} {response.status}")
            except (OSError, http.client.HTTPException) as error:
                with lock:
                    errors.append(f"{kind} {type(error).__name__}")
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.close()

    threads = [threading.Thread(target=user_loop, args=(n,)) for n in range(users)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    for kind in ("read", "create"):
        times = [ms for k, ms, status in results if k == kind and status == 200]
        if times:
            print(f"load {kind}: {summary(times)}, p99 {percentile(times, 99):.1f} ms")
    print(
        f"load: {users} users, think time {think:g} s, {elapsed:.0f} s, "
        f"{len(results)} requests ({len(results) / elapsed:.0f}/s), "
        f"{len(errors)} errors {sorted(set(errors))[:5]}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--highlights", type=int, default=200)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--creates", type=int, default=200)
    parser.add_argument("--clicks", type=int, default=30)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=25)
    parser.add_argument(
        "--think", type=float, nargs="+", default=[1.0, 0.0], help="mean think time per user; one load run each"
    )
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    if "bench" not in os.environ.get("DATABASE_URL", ""):
        sys.exit("Set DATABASE_URL to a scratch database whose name contains 'bench'.")
    static_root = tempfile.mkdtemp(prefix="copydesk-bench-static-")
    env = {**os.environ, **PRODUCTION_ENV, "STATIC_ROOT": static_root, "DJANGO_SETTINGS_MODULE": "config.settings"}
    os.environ.update(env)
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)

    import django

    django.setup()
    from django.test import Client

    article, user, tags, spans = setup_data(args.highlights, args.seed)
    client = Client()
    client.force_login(user)
    print(
        f"article {article.pk}: {article.word_count} words, {len(article.body)} characters, "
        f"{article.annotations.count()} highlights"
    )
    cold, warm = bench_render(client, article, args.requests)
    print(f"render (test client), highlights rebuilt every time: {summary(cold)}")
    print(f"render (test client), highlight fragments cached: {summary(warm)}")
    service, endpoint = bench_create(client, article, user, tags, spans, args.creates, args.seed)
    print(f"create, service only: {summary(service)}")
    print(f"create, htmx endpoint answering with the marked-up body and the new list entry: {summary(endpoint)}")

    port = free_port()
    server = start_gunicorn(env, port, args.workers, args.threads)
    try:
        session = session_cookie(user)
        if args.clicks:
            paint = bench_paint(port, article, session, args.clicks)
            print(f"click to painted highlight (Chromium): {summary(paint)}")
        from annotations.models import Annotation

        Annotation.objects.filter(article=article, client_request_id__isnull=False).delete()
        for think in args.think if args.users else []:
            load_test(port, article, session, args.users, args.seconds, create_share=0.1, think=think)
            Annotation.objects.filter(article=article, client_request_id__isnull=False).delete()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    from annotations.models import Annotation

    Annotation.objects.filter(article=article, client_request_id__isnull=False).delete()


if __name__ == "__main__":
    main()
