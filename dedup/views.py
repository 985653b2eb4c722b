"""Pages for copies of an article, and the admins' view of background detection."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from articles.models import Article
from dedup import compare, selectors, tasks


@require_GET
@login_required
@permission_required("dedup.view_articlerelation", raise_exception=True)
def copies_panel(request: HttpRequest, article_pk: int) -> HttpResponse:
    """The reading page's "Copies and rewrites" panel, loaded after the page."""
    try:
        article = Article.objects.select_related("source").defer("body", "extra").get(pk=article_pk)
    except Article.DoesNotExist:
        raise Http404("No article with that id.") from None
    copies = selectors.article_copies(article)
    return render(request, "dedup/_copies_panel.html", {"article": article, "copies": copies})


@login_required
@permission_required("dedup.run_detection", raise_exception=True)
def status(request: HttpRequest) -> HttpResponse:
    return render(request, "dedup/status.html", {"status": selectors.detection_status()})


@require_POST
@login_required
@permission_required("dedup.run_detection", raise_exception=True)
def rerun(request: HttpRequest) -> HttpResponse:
    """Queue detection for every article again; relations already found are kept, none is doubled."""
    ids = list(Article.objects.values_list("id", flat=True))
    tasks.queue_articles(ids)
    messages.success(request, f"Detection queued for {len(ids):,} articles.")
    return redirect("dedup:status")


@require_GET
@login_required
@permission_required("dedup.view_articlerelation", raise_exception=True)
def compare_articles(request: HttpRequest, left_pk: int, right_pk: int) -> HttpResponse:
    """Two articles side by side, aligned by sentence, with changed words and figures marked."""
    found = {a.pk: a for a in Article.objects.select_related("source").filter(pk__in=[left_pk, right_pk])}
    if left_pk not in found or right_pk not in found:
        raise Http404("No article with that id.")
    left, right = found[left_pk], found[right_pk]
    rows = compare.compare(left.body, right.body)
    changed_figures = [pair for row in rows for pair in row.figures]
    context = {
        "left": left,
        "right": right,
        "rows": rows,
        "changed_figures": changed_figures,
        "changed_rows": sum(row.kind != "equal" for row in rows),
    }
    return render(request, "dedup/compare.html", context)
