"""Sign-in pages and the page shown when a user lacks the rights for an action."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.roles import user_role


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    context = {"role": user_role(request.user), "reason": str(exception) if exception else ""}
    return render(request, "403.html", context, status=403)
