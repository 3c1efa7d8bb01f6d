def axes_username(request, credentials: dict | None) -> str | None:
    """The phone number a login attempt was made for, whichever form sent it, so that
    django-axes locks the (number, address) pair for the portal's and the admin's login."""
    credentials = credentials or {}
    username = credentials.get("phone") or credentials.get("username")
    if not username and request is not None and request.method == "POST":
        username = request.POST.get("phone") or request.POST.get("username")
    return username
