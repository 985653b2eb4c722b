"""Keep outlet counts and search vectors current when articles are added."""

from django.db import connection
from django.db.models.signals import post_save
from django.dispatch import receiver

from articles.models import Article, Source
from articles.signals import articles_added


@receiver(post_save, sender=Article)
def recount_on_single_save(sender, instance: Article, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw:
        from articles.tasks import source_recount

        source_recount.delay_on_commit(instance.source_id)


@receiver(post_save, sender=Article)
def index_on_single_save(sender, instance: Article, created: bool, raw: bool = False, **kwargs) -> None:
    # In the same transaction, so search finds a new article at once; bulk imports go through the task.
    if created and not raw and connection.vendor == "postgresql":
        from articles.services import articles_index_search

        articles_index_search(article_ids=[instance.pk])


INDEX_CHUNK = 2000


@receiver(articles_added)
def index_after_bulk_add(sender, article_ids: list[int], **kwargs) -> None:
    if connection.vendor != "postgresql":
        return
    from articles.tasks import articles_index_search

    ids = list(article_ids)
    for start in range(0, len(ids), INDEX_CHUNK):
        articles_index_search.delay_on_commit(ids[start : start + INDEX_CHUNK])


@receiver(articles_added)
def recount_after_bulk_add(sender, article_ids: list[int], **kwargs) -> None:
    from articles.tasks import source_recount, sources_recount_all

    if len(article_ids) > 1000:
        sources_recount_all.delay_on_commit()
        return
    for source_id in Source.objects.filter(articles__id__in=article_ids).values_list("id", flat=True).distinct():
        source_recount.delay_on_commit(source_id)
