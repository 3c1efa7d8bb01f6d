from django import template

from centres.selectors import streets_with_communities

register = template.Library()


@register.inclusion_tag("centres/partials/community_picker.html")
def community_picker(selected=None):
    """A plain GET form: choose your community to see the centres near you."""
    return {"streets": streets_with_communities(), "selected": selected}
