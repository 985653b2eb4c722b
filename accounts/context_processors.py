from accounts.roles import user_role


def role(request):
    """The signed-in user's role, for the navigation bar."""
    return {"user_role": user_role(request.user) if hasattr(request, "user") else None}
