"""ClaimReview JSON-LD per claim and as a feed, the export command, and the JSONL export."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from claims import services


@pytest.fixture
def reviewed_claim(troop_highlights, analyst, editor):
    claim = services.claim_create(statement="11,000 troops gathered at the border", created_by=analyst)
    for annotation in troop_highlights:
        services.claim_link_annotation(claim=claim, annotation=annotation, user=analyst)
    services.claim_set_verdict(
        claim=claim,
        user=editor,
        status="false",
        rationale="The ministry counted 9,000.",
        evidence=[{"url": "https://gov.example/count"}],
    )
    return claim


def test_a_claim_review_has_the_schema_org_structure(analyst_client, reviewed_claim, troop_articles):
    response = analyst_client.get(reverse("claims:claimreview", args=[reviewed_claim.pk]))
    assert response["Content-Type"] == "application/ld+json"
    review = response.json()
    assert review["@context"] == "https://schema.org"
    assert review["@type"] == "ClaimReview"
    assert review["claimReviewed"] == "11,000 troops gathered at the border"
    assert review["url"].endswith(reverse("claims:detail", args=[reviewed_claim.pk]))
    assert review["author"] == {"@type": "Person", "name": "ed"}
    assert review["datePublished"]
    rating = review["reviewRating"]
    assert rating["@type"] == "Rating"
    assert (rating["alternateName"], rating["ratingValue"], rating["bestRating"], rating["worstRating"]) == (
        "False",
        1,
        5,
        1,
    )
    assert rating["ratingExplanation"] == "The ministry counted 9,000."
    item = review["itemReviewed"]
    assert item["@type"] == "Claim"
    assert [a["url"] for a in item["appearance"]] == [a.url for a in troop_articles]
    assert item["firstAppearance"]["url"] == troop_articles[0].url
    assert item["firstAppearance"]["publisher"]["name"] == "Harbour Herald"


def test_a_claim_without_a_published_verdict_has_no_review(analyst_client, analyst):
    claim = services.claim_create(statement="Unchecked", created_by=analyst)
    response = analyst_client.get(reverse("claims:claimreview", args=[claim.pk]))
    assert response.status_code == 404
    assert "no published verdict" in response.json()["error"]


def test_the_feed_lists_every_published_verdict(analyst_client, reviewed_claim, analyst):
    services.claim_create(statement="Unchecked", created_by=analyst)
    feed = analyst_client.get(reverse("claims:claimreview_feed")).json()
    assert [r["claimReviewed"] for r in feed["@graph"]] == ["11,000 troops gathered at the border"]


def test_the_command_writes_the_feed_to_a_file(reviewed_claim, tmp_path):
    target = tmp_path / "reviews.json"
    call_command("export_claimreviews", "--output", str(target), "--base-url", "https://desk.example")
    feed = json.loads(target.read_text())
    (review,) = feed["@graph"]
    assert review["url"] == f"https://desk.example/claims/{reviewed_claim.pk}/"
    assert review["reviewRating"]["alternateName"] == "False"


def test_the_command_writes_claims_as_jsonl(reviewed_claim, tmp_path):
    target = tmp_path / "claims.jsonl"
    call_command("export_claimreviews", "--jsonl", "--output", str(target))
    (line,) = target.read_text().splitlines()
    record = json.loads(line)
    assert record["status"] == "false"
    assert [h["outlet"] for h in record["highlights"]] == ["Harbour Herald", "River Times"]
    assert record["highlights"][0]["values"][0]["display"] == "11,000 people"
    assert record["verdicts"][0]["evidence"] == [{"url": "https://gov.example/count", "article": None, "note": ""}]


def test_the_command_refuses_a_bad_base_url_and_an_unwritable_file(db, tmp_path):
    with pytest.raises(CommandError, match="base-url"):
        call_command("export_claimreviews", "--base-url", "desk.example")
    with pytest.raises(CommandError, match="Cannot write"):
        call_command("export_claimreviews", "--output", str(tmp_path / "missing" / "x.json"))


def test_the_jsonl_download_streams_every_claim(analyst_client, reviewed_claim, analyst):
    services.claim_create(statement="Unchecked", created_by=analyst)
    response = analyst_client.get(reverse("claims:export"))
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert [json.loads(line)["statement"] for line in lines] == ["11,000 troops gathered at the border", "Unchecked"]
    assert "attachment" in response["Content-Disposition"]


def test_open_ended_values_export_as_null_not_infinity(analyst_client, analyst, troop_articles):
    from tests.claims.conftest import highlight

    article = troop_articles[0]
    claim = services.claim_create(statement="Many troops", created_by=analyst)
    services.claim_link_annotation(claim=claim, annotation=highlight(article, "11,000 troops", analyst), user=analyst)
    from claims.models import ExtractedValue

    ExtractedValue.objects.filter(link__claim=claim).update(high=float("inf"))
    line = b"".join(analyst_client.get(reverse("claims:export")).streaming_content).decode()
    assert json.loads(line)["highlights"][0]["values"][0]["high"] is None
