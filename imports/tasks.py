"""The import task: thin, takes a batch id, runs (or resumes) it through the service."""

import logging

from celery import shared_task
from django.db import OperationalError

from imports import services

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def import_batch_run(batch_id: int) -> str | None:
    """Idempotent: a finished batch is left alone, an interrupted one resumes from its checkpoint."""
    try:
        batch = services.import_batch_run(batch_id=batch_id)
    except services.BatchBusy:
        logger.info("import batch %s is already running elsewhere", batch_id)
        return None
    except OperationalError:
        raise
    except Exception:
        # The service has marked the batch failed with the error; the page offers to resume it.
        logger.exception("import batch %s failed", batch_id)
        return None
    return batch.summary()
