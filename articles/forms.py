"""Forms that parse and validate query strings for the article pages."""

from django import forms

from articles.models import Source
from dedup.selectors import RELATION_FILTERS


class ArticleFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label="Search")
    source = forms.ModelChoiceField(
        queryset=Source.objects.order_by("name"),
        required=False,
        to_field_name="slug",
        empty_label="All outlets",
        label="Outlet",
    )
    date_from = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))
    relation = forms.ChoiceField(required=False, choices=[("", "All articles"), *RELATION_FILTERS], label="Relations")
    hide_duplicates = forms.BooleanField(required=False, label="Hide duplicates")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError("The start date is after the end date.")
        return cleaned
