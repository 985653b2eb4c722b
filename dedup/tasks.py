"""Background duplicate detection. Thin: ids in, one service call, idempotent, acknowledged late.

Exact and near copies are found on the default queue; each chunk then queues the rewrite and story
tier, routed to the `semantic` queue (CELERY_TASK_ROUTES), so copies never wait for it and it always sees them.
"""

from celery import shared_task

from dedup import relate, services

CHUNK = 500


@shared_task(acks_late=True)
def articles_link(article_ids: list[int]) -> dict:
    result = services.articles_link(article_ids=article_ids)
    articles_relate.delay(article_ids)
    return {"fingerprinted": result.fingerprinted, "exact": result.exact, "near": result.near}


@shared_task(acks_late=True)
def articles_relate(article_ids: list[int]) -> dict:
    result = relate.articles_relate(article_ids=article_ids)
    return {
        "profiled": result.profiled,
        "embedded": result.embedded,
        "rewrite": result.rewrite,
        "story": result.story,
        "placed": result.placed,
    }


def queue_articles(article_ids: list[int]) -> None:
    """Queue detection for these articles once the current transaction commits, in chunks."""
    ids = sorted(set(article_ids))
    for start in range(0, len(ids), CHUNK):
        articles_link.delay_on_commit(ids[start : start + CHUNK])
