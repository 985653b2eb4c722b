"""Pages to browse, search and read articles."""

from django.conf import settings
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from annotations import selectors as annotation_selectors
from articles import selectors
from articles.forms import ArticleFilterForm
from articles.models import Article


@require_GET
@login_required
@permission_required("articles.view_article", raise_exception=True)
def article_list(request: HttpRequest) -> HttpResponse:
    form = ArticleFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    articles = selectors.article_list(
        query=filters.get("q") or "",
        source=filters.get("source"),
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
        relation=filters.get("relation") or "",
        hide_duplicates=bool(filters.get("hide_duplicates")),
    )
    page = Paginator(articles, settings.ARTICLES_PER_PAGE).get_page(request.GET.get("page"))
    query_without_page = request.GET.copy()
    query_without_page.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query_without_page": query_without_page.urlencode(),
        "searching": bool(filters.get("q")),
        "hiding_duplicates": bool(filters.get("hide_duplicates")),
    }
    template = "articles/list.html"
    if request.htmx and request.htmx.target == "article-results":
        template += "#article-results"
    return render(request, template, context)


@require_GET
@login_required
@permission_required("articles.view_article", raise_exception=True)
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        article = selectors.article_get(pk=pk)
    except Article.DoesNotExist:
        raise Http404("No article with that id.") from None
    context = annotation_selectors.reading_context(article=article, user=request.user, params=request.GET)
    return render(request, "articles/detail.html", context)
