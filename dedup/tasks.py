"""Background duplicate detection. Thin: ids in, one service call, idempotent, acknowledged late."""

from celery import shared_task

from dedup import services

CHUNK = 500


@shared_task(acks_late=True)
def articles_link(article_ids: list[int]) -> dict:
    result = services.articles_link(article_ids=article_ids)
    return {"fingerprinted": result.fingerprinted, "exact": result.exact, "near": result.near}


def queue_articles(article_ids: list[int]) -> None:
    """Queue detection for these articles once the current transaction commits, in chunks."""
    ids = sorted(set(article_ids))
    for start in range(0, len(ids), CHUNK):
        articles_link.delay_on_commit(ids[start : start + CHUNK])
