from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from centres.models import Area, ServiceFunctionCode
from centres.selectors import centres_near

from . import health


@require_GET
@never_cache
def healthz(request):
    checks = {"database": health.database_ok(), "broker": health.broker_ok()}
    healthy = all(checks.values())
    body = {"status": "ok" if healthy else "unavailable"} | {
        name: "ok" if ok else "unreachable" for name, ok in checks.items()
    }
    return JsonResponse(body, status=200 if healthy else 503)


def home(request):
    community = None
    if request.user.is_authenticated and request.user.home_community_id:
        community = request.user.home_community
    elif request.GET.get("community", "").isdigit():
        community = Area.objects.communities().filter(pk=request.GET["community"]).first()
    return render(
        request,
        "portal/home.html",
        {
            "community": community,
            "nearby_centres": centres_near(community=community),
            "functions": ServiceFunctionCode.choices[:-1],
        },
    )
