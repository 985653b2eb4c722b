"""Background tasks for outlets and articles. Thin: they take ids and call a service."""

from celery import shared_task

from articles import services


@shared_task(acks_late=True)
def source_recount(source_id: int) -> int | None:
    source = services.source_recount(source_id=source_id)
    return None if source is None else source.article_count


@shared_task(acks_late=True)
def sources_recount_all() -> int:
    return services.sources_recount_all()


@shared_task(acks_late=True)
def articles_index_search(article_ids: list[int]) -> int:
    return services.articles_index_search(article_ids=article_ids)
