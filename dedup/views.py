"""Pages for copies of an article, stories, and the admins' view of background detection."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from articles.models import Article
from dedup import compare, selectors, tasks
from dedup.models import Story

STORIES_PER_PAGE = 25
STORY_MEMBERS_PER_PAGE = 100


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
    story = selectors.article_story(article) if request.user.has_perm("dedup.view_story") else None
    return render(request, "dedup/_copies_panel.html", {"article": article, "copies": copies, "story": story})


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


@require_GET
@login_required
@permission_required("dedup.view_story", raise_exception=True)
def story_list(request: HttpRequest) -> HttpResponse:
    """Clusters of articles about one event, largest and most recent first."""
    page = Paginator(selectors.story_list(), STORIES_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    selectors.stories_describe(page.object_list)
    template = "dedup/stories.html"
    if request.htmx and request.htmx.target == "story-results":
        template += "#story-results"
    return render(request, template, {"page": page})


@require_GET
@login_required
@permission_required("dedup.view_story", raise_exception=True)
def story_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One story: its origin and every member, with how each one joined and a comparison with the origin."""
    try:
        story = selectors.story_get(pk=pk)
    except Story.DoesNotExist:
        raise Http404("No story with that id.") from None
    page = Paginator(selectors.story_members(story), STORY_MEMBERS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"story": story, "page": page, **selectors.story_summary(story)}
    template = "dedup/story.html"
    if request.htmx and request.htmx.target == "story-members":
        template += "#story-members"
    return render(request, template, context)
