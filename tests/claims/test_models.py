"""The audit log is append-only, and the database refuses claims, verdicts and evidence that make no sense."""

import pytest
from django.db import IntegrityError, connection, transaction

from claims.models import Claim, ClaimAnnotation, Event, Evidence, Verdict
from claims.services import event_record


@pytest.fixture
def claim(analyst):
    return Claim.objects.create(statement="11,000 troops gathered", created_by=analyst)


@pytest.fixture
def event(claim, analyst):
    return event_record(actor=analyst, verb="claim.created", obj=claim, claim=claim, after={"statement": "x"})


def test_an_event_cannot_be_saved_twice(event):
    event.verb = "claim.deleted"
    with pytest.raises(PermissionError):
        event.save()
    assert Event.objects.get(pk=event.pk).verb == "claim.created"


def test_an_event_cannot_be_deleted(event):
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        Event.objects.filter(pk=event.pk).delete()
    with pytest.raises(PermissionError):
        Event.objects.filter(pk=event.pk).update(verb="tampered")
    assert Event.objects.filter(pk=event.pk, verb="claim.created").exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
@pytest.mark.parametrize("statement", ["UPDATE claims_event SET verb = 'tampered'", "DELETE FROM claims_event"])
def test_postgresql_refuses_to_change_the_audit_log_even_in_raw_sql(event, statement):
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert Event.objects.filter(pk=event.pk, verb="claim.created").exists()


def test_the_database_refuses_an_empty_statement(analyst):
    with pytest.raises(IntegrityError):
        Claim.objects.create(statement="", created_by=analyst)


def test_the_database_refuses_an_unknown_status(claim):
    with pytest.raises(IntegrityError):
        Claim.objects.filter(pk=claim.pk).update(status="made-up")


def test_the_database_refuses_a_verdict_without_rationale(claim, editor):
    with pytest.raises(IntegrityError):
        Verdict.objects.create(claim=claim, status="false", rationale="", reviewer=editor)


def test_the_database_keeps_one_current_verdict_per_claim(claim, editor):
    Verdict.objects.create(claim=claim, status="false", rationale="Ministry figures.", reviewer=editor)
    with pytest.raises(IntegrityError):
        Verdict.objects.create(claim=claim, status="supported", rationale="Other figures.", reviewer=editor)


def test_the_database_refuses_empty_evidence(claim, editor):
    verdict = Verdict.objects.create(claim=claim, status="false", rationale="Ministry figures.", reviewer=editor)
    with pytest.raises(IntegrityError):
        Evidence.objects.create(verdict=verdict)


def test_a_highlight_is_linked_to_a_claim_once(claim, troop_highlights, analyst):
    ClaimAnnotation.objects.create(claim=claim, annotation=troop_highlights[0], linked_by=analyst)
    with pytest.raises(IntegrityError):
        ClaimAnnotation.objects.create(claim=claim, annotation=troop_highlights[0], linked_by=analyst)
