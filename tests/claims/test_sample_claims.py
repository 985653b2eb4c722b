"""The demo's sample claim: the four outlets' evacuation figures, highlighted and disputed."""

import pytest
from django.core.management import CommandError, call_command

from claims.models import Claim

pytestmark = pytest.mark.django_db


def test_the_sample_claim_gathers_the_four_figures_and_is_disputed():
    call_command("load_sample_data")
    call_command("create_demo_users", password="demo-password-1")
    call_command("load_sample_claims")
    claim = Claim.objects.get()
    assert claim.status == "disputed"
    quotes = sorted(link.annotation.quote for link in claim.links.select_related("annotation"))
    assert quotes == [
        "About 11,000 residents were evacuated",
        "Twelve thousand people were ordered out of their homes",
        "about 11,500 residents",
        "between 10,000 and 12,000 people evacuated",
    ]
    for link in claim.links.select_related("annotation__article"):
        annotation = link.annotation
        assert annotation.article.body[annotation.start : annotation.end] == annotation.quote


def test_loading_the_sample_claims_twice_changes_nothing():
    call_command("load_sample_data")
    call_command("create_demo_users", password="demo-password-1")
    call_command("load_sample_claims")
    call_command("load_sample_claims")
    assert Claim.objects.count() == 1


def test_the_sample_claims_need_the_demo_users():
    with pytest.raises(CommandError, match="create_demo_users"):
        call_command("load_sample_claims")
