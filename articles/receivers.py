"""Keep outlet counts current when articles are added."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from articles.models import Article, Source
from articles.signals import articles_added


@receiver(post_save, sender=Article)
def recount_on_single_save(sender, instance: Article, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw:
        from articles.tasks import source_recount

        source_recount.delay_on_commit(instance.source_id)


@receiver(articles_added)
def recount_after_bulk_add(sender, article_ids: list[int], **kwargs) -> None:
    from articles.tasks import source_recount, sources_recount_all

    if len(article_ids) > 1000:
        sources_recount_all.delay_on_commit()
        return
    for source_id in Source.objects.filter(articles__id__in=article_ids).values_list("id", flat=True).distinct():
        source_recount.delay_on_commit(source_id)
