"""An editor works the review queue in a real browser: opens a disputed claim, reads it, records a verdict."""

import pytest
from playwright.sync_api import expect

from claims import services
from claims.models import Claim
from tests.claims.conftest import highlight, troop_articles, troop_highlights  # noqa: F401 (fixtures)
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def disputed(troop_highlights, analyst):  # noqa: F811 (pytest injects the imported fixture)
    claim = services.claim_create(statement="Troops gathered at the border", created_by=analyst)
    for annotation in troop_highlights:
        services.claim_link_annotation(claim=claim, annotation=annotation, user=analyst)
    services.claim_create(statement="The dam held overnight", created_by=analyst)
    return claim


def test_an_editor_reviews_a_disputed_claim(page, editor, disputed, troop_highlights, output_dir):  # noqa: F811
    assert Claim.objects.get(pk=disputed.pk).status == "disputed"
    sign_in(page, editor.username)
    page.get_by_role("link", name="Review queue").click()
    page.wait_for_url("**/claims/queue/")
    rows = page.locator("table.claims-queue tbody tr")
    assert rows.count() == 2
    assert "Troops gathered at the border" in rows.first.inner_text()  # two outlets carry it, so it comes first
    assert "Disputed" in rows.first.inner_text()
    page.screenshot(path=output_dir / "queue.png", full_page=True)

    page.get_by_role("link", name="Troops gathered at the border").click()
    page.wait_for_url(f"**/claims/{disputed.pk}/")
    values = page.locator(".value-card")
    assert values.count() == 2
    assert "11,000 people" in values.nth(0).inner_text() and "Harbour Herald" in values.nth(0).inner_text()
    assert "12,000 people" in values.nth(1).inner_text() and "River Times" in values.nth(1).inner_text()
    assert page.locator(".claim-highlight mark").count() == 2
    page.screenshot(path=output_dir / "claim-disputed.png", full_page=True)

    # A verdict without evidence is refused with a message, and nothing is lost from the form.
    page.get_by_role("combobox", name="Verdict").select_option("false")
    page.get_by_label("Rationale").fill("The ministry's published count is 9,000.")
    page.get_by_role("button", name="Record verdict").click()
    page.get_by_text("Give at least one piece of evidence").wait_for()
    assert page.get_by_label("Rationale").input_value() == "The ministry's published count is 9,000."
    page.screenshot(path=output_dir / "verdict-error.png", full_page=True)

    page.evaluate("window.marker = 'kept'")
    page.get_by_label("Web address").fill("https://ministry.example/count")
    page.get_by_role("button", name="Record verdict").click()
    expect(page.locator("#claim-status")).to_have_text("False")
    assert page.evaluate("window.marker") == "kept"  # the card was swapped in place
    assert page.get_by_role("link", name="https://ministry.example/count").is_visible()
    assert "verdict.set" in page.locator(".event-list").inner_text()
    page.screenshot(path=output_dir / "claim-verdict.png", full_page=True)

    assert page.js_errors == []

    # The badge a reading page shows next to each highlight of the claim. Served alone, the fragment has
    # no <head>, so the browser asks for /favicon.ico and logs a 404; only that is tolerated from here.
    for annotation in troop_highlights:
        page.goto(f"/claims/annotations/{annotation.pk}/")
        badge = page.locator(".verdict-badge")
        assert badge.inner_text() == "False"
    page.screenshot(path=output_dir / "badge.png")

    page.goto("/claims/queue/")
    assert page.locator("table.claims-queue tbody tr").count() == 1  # decided claims leave the queue
    assert all("404" in error for error in page.js_errors)


def test_an_analyst_links_a_highlight_to_a_new_claim_from_its_partial(page, analyst, troop_articles, output_dir):  # noqa: F811
    first, _ = troop_articles
    annotation = highlight(first, "11,000 troops had gathered near the border", analyst)
    sign_in(page, analyst.username)
    page.goto(f"/claims/annotations/{annotation.pk}/")
    page.get_by_text("Link to claim").click()
    page.get_by_label("Or a new claim").fill("11,000 troops at the border")
    page.get_by_role("button", name="Link").click()
    # Served on its own the partial has no htmx, so the form falls back to a plain post and a redirect.
    claim = Claim.objects.get()
    page.wait_for_url(f"**/claims/{claim.pk}/")
    assert page.get_by_role("heading", name="11,000 troops at the border").is_visible()
    assert page.locator(".claim-highlight mark").inner_text() == "11,000 troops had gathered near the border"
    page.screenshot(path=output_dir / "linked.png", full_page=True)


def test_an_admin_reads_notifications_and_filters_the_audit_log(page, admin_user, disputed, analyst, output_dir):
    services.comment_create(claim=disputed, author=analyst, body="@adm the figures disagree, can you look?")
    sign_in(page, admin_user.username)
    expect(page.locator(".notification-count")).to_have_text("1")
    page.get_by_role("link", name="Notifications").click()
    assert "mentioned you on" in page.locator(".notification-list").inner_text()
    page.screenshot(path=output_dir / "notifications.png", full_page=True)
    page.get_by_role("button", name="Mark all read").click()
    expect(page.locator(".notification.unread")).to_have_count(0)
    expect(page.locator(".notification-count")).to_have_count(0)  # the top bar's count refreshes too

    page.get_by_role("link", name="Audit").click()
    page.get_by_label("What").select_option("claim.auto_disputed")
    expect(page.locator("#audit-results .result-count")).to_have_text("1 event")
    page.screenshot(path=output_dir / "audit.png", full_page=True)

    page.get_by_role("link", name="Claims", exact=True).click()
    page.get_by_label("Search").fill("troops")
    expect(page.locator("#claim-results .result-count")).to_have_text("1 claim")
    page.screenshot(path=output_dir / "claims-list.png", full_page=True)
    assert page.js_errors == []
