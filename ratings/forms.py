from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ASPECTS, Level
from .services import CHOOSE_LEVEL, COMMENT_MAX_LENGTH


class RatingForm(forms.Form):
    """The overall level (required) on the five-level scale, the four aspects (optional)
    and a comment. The service checks the same again."""

    level = forms.TypedChoiceField(
        label=_("Overall, how satisfied are you?"),
        choices=Level.choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": CHOOSE_LEVEL, "invalid_choice": CHOOSE_LEVEL},
    )
    comment = forms.CharField(
        label=_("Anything you would like to tell the centre? (optional)"),
        max_length=COMMENT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in ASPECTS:
            self.fields[name] = forms.TypedChoiceField(
                label=label,
                choices=[("", _("Not rated"))] + Level.choices,
                coerce=int,
                empty_value=None,
                required=False,
                error_messages={"invalid_choice": CHOOSE_LEVEL},
            )

    @property
    def aspect_fields(self):
        return [self[name] for name, _label in ASPECTS]
