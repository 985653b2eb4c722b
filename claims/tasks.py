"""Background tasks for claims. Thin: they take ids and call a service."""

from celery import shared_task
from django.contrib.auth import get_user_model

from annotations.models import Annotation
from claims import services
from claims.models import Claim


@shared_task(acks_late=True)
def claim_propose_on_copies(claim_id: int, annotation_id: int, actor_id: int | None) -> int:
    """Re-anchor a linked highlight on the copies of its article; running it twice proposes nothing new."""
    claim = Claim.objects.filter(pk=claim_id).first()
    annotation = Annotation.objects.alive().select_related("article").filter(pk=annotation_id).first()
    if claim is None or annotation is None:
        return 0
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    return len(services.claim_propose_on_copies(claim=claim, annotation=annotation, actor=actor))
