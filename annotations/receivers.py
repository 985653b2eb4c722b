"""Keep the reading page's cached highlight fragments in step with every change, whoever makes it."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from annotations.models import Annotation, Tag
from annotations.services import article_highlights_changed, tags_changed


@receiver(post_save, sender=Annotation)
@receiver(post_delete, sender=Annotation)
def annotation_saved(sender, instance: Annotation, **kwargs) -> None:
    article_highlights_changed(instance.article_id)


@receiver(m2m_changed, sender=Annotation.tags.through)
def annotation_tags_changed(sender, instance, action: str, reverse: bool, pk_set, **kwargs) -> None:
    if not action.startswith("post_"):
        return
    if isinstance(instance, Annotation):
        article_highlights_changed(instance.article_id)
    else:
        tags_changed()


@receiver(post_save, sender=Tag)
@receiver(post_delete, sender=Tag)
def tag_saved(sender, **kwargs) -> None:
    tags_changed()
