"""Signals other apps listen to, so that articles/ depends on none of them."""

from django.dispatch import Signal

# Sent after new articles are committed, with `article_ids` (a list of primary keys).
# Duplicate detection listens to queue its work.
articles_added = Signal()
