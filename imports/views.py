"""The Import pages: upload dumps, watch a batch's progress, read and download its report."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh

from imports import selectors, services, tasks
from imports.forms import ImportUploadForm
from imports.models import ImportBatch

BATCHES_PER_PAGE = 25
REJECTIONS_PER_PAGE = 50


def _batch_or_404(pk: int) -> ImportBatch:
    try:
        return selectors.import_batch_get(pk=pk)
    except ImportBatch.DoesNotExist:
        raise Http404("No import with that id.") from None


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("imports.view_importbatch", raise_exception=True)
def import_list(request: HttpRequest) -> HttpResponse:
    """Past batches, and the upload form (POST needs the add permission)."""
    form = ImportUploadForm()
    if request.method == "POST":
        if not request.user.has_perm("imports.add_importbatch"):
            raise PermissionDenied("You may not start imports.")
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            entries = services.import_uploads_store(files=form.cleaned_data["files"])
            try:
                with transaction.atomic():
                    batch = services.import_batch_create(
                        entries=entries,
                        format=form.cleaned_data["format"],
                        default_source=form.cleaned_data["source"],
                        created_by=request.user,
                        origin="web",
                    )
                    tasks.import_batch_run.delay_on_commit(batch.pk)
            except services.ImportError_ as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, f"Import #{batch.pk} started.")
                return redirect(batch)
    page = Paginator(selectors.import_batch_list(), BATCHES_PER_PAGE).get_page(request.GET.get("page"))
    status = 400 if form.is_bound else 200
    return render(request, "imports/list.html", {"form": form, "page": page}, status=status)


@require_GET
@login_required
@permission_required("imports.view_importbatch", raise_exception=True)
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch_or_404(pk)
    rejections = Paginator(selectors.import_rejection_list(batch=batch), REJECTIONS_PER_PAGE)
    warnings = Paginator(selectors.import_rejection_list(batch=batch, kind="warning"), REJECTIONS_PER_PAGE)
    context = {
        "batch": batch,
        "rejections": rejections.get_page(request.GET.get("page")),
        "warnings": warnings.get_page(request.GET.get("wpage")),
    }
    template = "imports/detail.html"
    if request.htmx and request.htmx.target in {"batch-progress", "batch-report"}:
        if request.htmx.target == "batch-progress" and batch.is_finished and request.GET.get("poll"):
            # The run has just ended: reload the page so the report appears under the final counts.
            return HttpResponseClientRefresh()
        template += f"#{request.htmx.target}"
    return render(request, template, context)


@require_GET
@login_required
@permission_required("imports.view_importbatch", raise_exception=True)
def import_rejections_download(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    batch = _batch_or_404(pk)
    response = StreamingHttpResponse(
        selectors.import_rejections_jsonl(batch=batch), content_type="application/x-ndjson; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="import-{batch.pk}-rejected.jsonl"'
    return response


@require_POST
@login_required
@permission_required("imports.add_importbatch", raise_exception=True)
def import_resume(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch_or_404(pk)
    if batch.status == ImportBatch.Status.DONE:
        messages.info(request, f"Import #{batch.pk} has already finished.")
    else:
        ImportBatch.objects.filter(pk=batch.pk).exclude(status=ImportBatch.Status.DONE).update(
            status=ImportBatch.Status.QUEUED, error=""
        )
        tasks.import_batch_run.delay_on_commit(batch.pk)
        messages.success(request, f"Import #{batch.pk} resumes from its last saved point.")
    return redirect(batch)
