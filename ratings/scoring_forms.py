"""Forms for applying (申报) and scoring in a star-rating cycle. They only parse input;
the rules are in ``ratings.cycle`` and ``ratings.evidence``."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .evidence import evidence_kind

STAR_CHOICES = [(n, f"{'★' * n} ({n})") for n in range(1, 6)]


class ApplicationForm(forms.Form):
    applied_stars = forms.TypedChoiceField(label=_("Level applied for"), choices=STAR_CHOICES, coerce=int)
    self_assessment = forms.CharField(
        label=_("Self-assessment"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What the centre did in the period, with figures where you have them."),
    )
    file = forms.FileField(
        label=_("Add an evidence file"),
        required=False,
        help_text=_("A JPEG or PNG photo or a PDF, at most 10 MB; at most 20 files."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"}),
    )
    caption = forms.CharField(label=_("What the file shows"), required=False, max_length=200)

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload:
            try:
                evidence_kind(upload)
            except ValidationError as error:
                raise ValidationError(error.messages) from error
        return upload


class ScoreForm(forms.Form):
    """One points field (and an optional note) per criterion the scorer scores."""

    def __init__(self, *args, criteria, given, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            score = given.get(criterion.pk)
            most = Decimal(format(criterion.max_points.normalize(), "f"))
            self.fields[f"points_{criterion.pk}"] = forms.DecimalField(
                label=criterion.name,
                min_value=0,
                max_value=most,
                max_digits=6,
                decimal_places=2,
                required=True,
                initial=score.points if score else None,
                help_text=_("0 to %(max)s points") % {"max": most},
            )
            self.fields[f"note_{criterion.pk}"] = forms.CharField(
                label=_("Note on %(criterion)s (optional)") % {"criterion": criterion.name},
                required=False,
                max_length=500,
                initial=score.note if score else "",
            )

    def scores(self):
        """(criterion, points, note) for each criterion."""
        return [
            (c, self.cleaned_data[f"points_{c.pk}"], self.cleaned_data.get(f"note_{c.pk}", "")) for c in self.criteria
        ]
