"""The copies panel on the reading page and the admins' detection page."""

import datetime

import pytest
from django.urls import reverse

from dedup import services
from dedup.models import ArticleRelation, StoryMembership
from tests.dedup.texts import WIRE, light_edit
from tests.factories import ArticleFactory, SourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def wire_and_copy():
    wire = ArticleFactory(
        title="Canal to cap barge traffic",
        source=SourceFactory(name="Meridian Wire"),
        body=WIRE,
        published_at=datetime.datetime(2026, 7, 20, 6, tzinfo=datetime.UTC),
    )
    copy = ArticleFactory(
        title='Drought forces canal <script>alert("x")</script>',
        source=SourceFactory(name="Harbour Courier"),
        body=light_edit(WIRE),
        published_at=datetime.datetime(2026, 7, 20, 9, tzinfo=datetime.UTC),
    )
    services.articles_link(article_ids=[wire.pk, copy.pk])
    return wire, copy


def test_the_reading_page_loads_the_copies_panel(analyst_client, wire_and_copy):
    wire, _ = wire_and_copy
    content = analyst_client.get(wire.get_absolute_url()).content.decode()
    assert reverse("dedup:copies_panel", args=[wire.pk]) in content


def test_the_panel_lists_copies_with_outlet_relation_score_and_marks_the_origin(analyst_client, wire_and_copy):
    _, copy = wire_and_copy
    content = analyst_client.get(reverse("dedup:copies_panel", args=[copy.pk])).content.decode()
    assert "Canal to cap barge traffic" in content
    assert "Meridian Wire" in content
    assert "Near copy" in content
    assert 'class="origin-badge">Origin' in content
    score = ArticleRelation.objects.get().score
    assert f"{score:.2f}" in content


def test_the_origin_says_so_on_its_own_panel(analyst_client, wire_and_copy):
    wire, _ = wire_and_copy
    content = analyst_client.get(reverse("dedup:copies_panel", args=[wire.pk])).content.decode()
    assert "This is the earliest of these texts" in content
    assert "&lt;script&gt;" in content
    assert "<script>alert" not in content


def test_an_article_without_copies_says_so(analyst_client):
    article = ArticleFactory()
    content = analyst_client.get(reverse("dedup:copies_panel", args=[article.pk])).content.decode()
    assert "No copies of this text found so far" in content


def test_the_panel_of_a_missing_article_is_a_404(analyst_client):
    assert analyst_client.get(reverse("dedup:copies_panel", args=[999999])).status_code == 404


def test_people_without_a_role_cannot_see_copies(client, outsider, wire_and_copy):
    client.force_login(outsider)
    assert client.get(reverse("dedup:copies_panel", args=[wire_and_copy[0].pk])).status_code == 403


def test_claims_find_the_copies_of_an_article(wire_and_copy):
    from claims.services import article_copies

    wire, copy = wire_and_copy
    assert [found.pk for found in article_copies(wire)] == [copy.pk]


def test_only_admins_see_the_detection_page_and_rerun_it(client, analyst, admin_user, wire_and_copy):
    client.force_login(analyst)
    assert client.get(reverse("dedup:status")).status_code == 403
    client.force_login(admin_user)
    page = client.get(reverse("dedup:status")).content.decode()
    assert "Fingerprinted" in page
    assert "Checked for rewrites and stories" in page
    assert "tasks run in the web process" in page
    response = client.post(reverse("dedup:rerun"))
    assert response.status_code == 302
    assert ArticleRelation.objects.count() == 1


def test_the_rerun_refuses_get_and_analysts(client, analyst, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("dedup:rerun")).status_code == 405
    client.force_login(analyst)
    assert client.post(reverse("dedup:rerun")).status_code == 403


def test_the_compare_view_aligns_sentences_and_calls_out_changed_figures(analyst_client, wire_and_copy):
    wire, copy = wire_and_copy
    content = analyst_client.get(reverse("dedup:compare", args=[wire.pk, copy.pk])).content.decode()
    assert '<span class="figure-before">340</span>' in content
    assert '<span class="figure-after">350</span>' in content
    assert "<del>warned</del>" in content
    assert "<ins>cautioned</ins>" in content
    assert "&lt;script&gt;" in content


def test_the_compare_view_of_a_missing_article_is_a_404(analyst_client, wire_and_copy):
    assert analyst_client.get(reverse("dedup:compare", args=[wire_and_copy[0].pk, 999999])).status_code == 404


def test_the_panel_links_each_copy_to_the_compare_view(analyst_client, wire_and_copy):
    wire, copy = wire_and_copy
    content = analyst_client.get(reverse("dedup:copies_panel", args=[wire.pk])).content.decode()
    assert reverse("dedup:compare", args=[wire.pk, copy.pk]) in content


def test_export_articles_writes_one_json_object_per_article_with_its_copies(tmp_path, wire_and_copy):
    import json

    from django.core.management import call_command

    wire, copy = wire_and_copy
    other = ArticleFactory(external_id="", url="https://elsewhere.example/1")
    from dedup import stories

    stories.assign(article_ids=[wire.pk, copy.pk])
    target = tmp_path / "articles.jsonl"
    call_command("export_articles", "--format", "jsonl", "--output", str(target))
    records = {record["id"]: record for record in map(json.loads, target.read_text().splitlines())}
    assert set(records) == {wire.pk, copy.pk, other.pk}
    story = StoryMembership.objects.get(article=wire).story_id
    assert records[wire.pk]["story"] == records[copy.pk]["story"] == story
    assert records[copy.pk]["duplicate_of"] == wire.external_id
    assert records[wire.pk]["duplicate_of"] is None
    assert records[copy.pk]["relations"] == [
        {
            "external_id": wire.external_id,
            "url": wire.url,
            "kind": "near",
            "score": records[copy.pk]["relations"][0]["score"],
        }
    ]
    assert records[other.pk] == {
        "id": other.pk,
        "external_id": None,
        "url": "https://elsewhere.example/1",
        "title": other.title,
        "source": other.source.name,
        "published_at": other.published_at.isoformat(),
        "story": None,
        "duplicate_of": None,
        "relations": [],
    }


def test_the_detection_page_counts_the_messages_waiting_in_redis(admin_client_role, settings):
    from config.celery import app

    if not app.conf.broker_url.startswith("redis://"):
        pytest.skip("needs REDIS_URL")
    app.conf.task_always_eager = False
    try:
        with app.connection_for_write() as connection:
            client = connection.default_channel.client
            client.delete("default", "semantic")
            client.rpush("semantic", "one", "two")
            page = admin_client_role.get(reverse("dedup:status")).content.decode()
            client.delete("semantic")
    finally:
        app.conf.task_always_eager = True
    assert "0 chunks for copies, 2 for rewrites and stories" in page
