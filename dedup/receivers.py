"""Queue duplicate detection for every new article, whether imported in bulk or saved one by one."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from articles.models import Article
from articles.signals import articles_added


@receiver(articles_added)
def link_added_articles(sender, article_ids: list[int], **kwargs) -> None:
    from dedup.tasks import queue_articles

    queue_articles(article_ids)


@receiver(post_save, sender=Article)
def link_saved_article(sender, instance: Article, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw:
        from dedup.tasks import queue_articles

        queue_articles([instance.pk])
