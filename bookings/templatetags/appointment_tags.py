from django import template

from bookings.models import AppointmentSetup

register = template.Library()


@register.simple_tag
def appointments_open_at(slug: str) -> bool:
    """Whether residents can book appointments at the published centre ``slug``: its
    set-up is published and it offers at least one service by appointment."""
    return AppointmentSetup.objects.filter(
        centre__slug=slug,
        centre__is_published=True,
        is_published=True,
        centre__appointment_topics__is_offered=True,
    ).exists()
