"""The resident's family members: list, add, change, remove. Every lookup is scoped to
the logged-in user, so someone else's family member is a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from centres.forms import add_service_errors

from .family import MAX_FAMILY_MEMBERS, coming_bookings_of, dependant_delete, dependant_save, family_of
from .family_forms import DependantForm
from .models import Dependant


def _own_dependant(request, pk: int) -> Dependant:
    return get_object_or_404(family_of(request.user), pk=pk)


@login_required
def family_list(request):
    today = timezone.localdate()
    family = list(family_of(request.user, with_coming_bookings=True))
    for person in family:
        person.age = person.age_on(today)
    return render(
        request,
        "bookings/family_list.html",
        {"family": family, "max_family": MAX_FAMILY_MEMBERS, "can_add": len(family) < MAX_FAMILY_MEMBERS},
    )


def _save(request, form: DependantForm, dependant: Dependant | None):
    if form.is_valid():
        try:
            saved = dependant_save(guardian=request.user, dependant=dependant, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if dependant is None:
                messages.success(request, _("%(name)s has been added to your family.") % {"name": saved.name})
            else:
                messages.success(request, _("The details of %(name)s have been saved.") % {"name": saved.name})
            return redirect("bookings:family")
    return render(request, "bookings/family_form.html", {"form": form, "dependant": dependant})


@login_required
def family_add(request):
    if request.method == "POST":
        return _save(request, DependantForm(request.POST), None)
    return render(request, "bookings/family_form.html", {"form": DependantForm(), "dependant": None})


@login_required
def family_edit(request, pk: int):
    dependant = _own_dependant(request, pk)
    if request.method == "POST":
        return _save(request, DependantForm(request.POST), dependant)
    form = DependantForm(initial=DependantForm.initial_from(dependant))
    return render(request, "bookings/family_form.html", {"form": form, "dependant": dependant})


@login_required
def family_delete(request, pk: int):
    dependant = _own_dependant(request, pk)
    refusal = []
    if request.method == "POST":
        try:
            dependant_delete(guardian=request.user, dependant=dependant)
        except ValidationError as exc:
            refusal = exc.messages
        else:
            messages.success(request, _("%(name)s has been removed from your family.") % {"name": dependant.name})
            return redirect("bookings:family")
    coming = 0 if refusal else coming_bookings_of(dependant).count()
    context = {"dependant": dependant, "coming": coming, "refusal": refusal}
    return render(request, "bookings/family_confirm_delete.html", context)
