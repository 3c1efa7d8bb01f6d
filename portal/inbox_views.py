"""The user's inbox: their messages, newest first. Opening the list marks nothing read;
"Open" marks one message read and follows its link; "Mark all as read" marks the rest."""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Max
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .models import Notification
from .notifications import notifications_mark_read

MESSAGES_PER_PAGE = 20


def inbox_of(user):
    """The user's messages, newest first."""
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-pk")


def is_safe_local_url(url: str) -> bool:
    """Only a path on this site: ``/…``, never ``//host`` or ``/\\host``."""
    return (
        url.startswith("/")
        and not url.startswith(("//", "/\\"))
        and url_has_allowed_host_and_scheme(url, allowed_hosts=None)
    )


@login_required
def inbox(request):
    page = Paginator(inbox_of(request.user), MESSAGES_PER_PAGE).get_page(request.GET.get("page"))
    newest = inbox_of(request.user).aggregate(newest=Max("pk"))["newest"] if page.object_list else None
    return render(
        request,
        "portal/inbox.html",
        {"page_obj": page, "messages_on_page": page.object_list, "newest": newest or ""},
    )


@login_required
@require_POST
def inbox_mark_all_read(request):
    """Marks read every unread message up to the newest one the page showed (``up_to``),
    so a message that arrived since is not marked read unseen."""
    ids = None
    up_to = request.POST.get("up_to", "")
    # ASCII digits only: str.isdigit() also takes "²", which int() refuses.
    if re.fullmatch(r"[0-9]{1,18}", up_to):
        ids = list(
            Notification.objects.filter(recipient=request.user, read_at__isnull=True, pk__lte=int(up_to)).values_list(
                "pk", flat=True
            )
        )
    marked = notifications_mark_read(recipient=request.user, ids=ids)
    if marked:
        messages.success(request, _("Your messages are marked as read."))
    else:
        messages.info(request, _("You have no unread messages."))
    return redirect("portal:inbox")


@login_required
@require_GET
def inbox_open(request, pk: int):
    message = get_object_or_404(Notification, pk=pk, recipient=request.user)
    notifications_mark_read(recipient=request.user, ids=[message.pk])
    if message.url and is_safe_local_url(message.url):
        return redirect(message.url)
    return redirect("portal:inbox")
