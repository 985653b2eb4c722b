"""The upload form of the Import page."""

from django import forms
from django.conf import settings

from imports.models import ImportBatch

MAX_FILES = 20


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if not data and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)]


class ImportUploadForm(forms.Form):
    files = MultipleFileField(
        label="Files",
        help_text="JSONL, JSON, CSV/TSV or .txt files, or .gz/.zip archives of them.",
    )
    source = forms.CharField(
        label="Outlet",
        max_length=200,
        required=False,
        help_text="Used for records that name no outlet.",
    )
    format = forms.ChoiceField(label="Format", choices=ImportBatch.Format.choices, initial=ImportBatch.Format.AUTO)

    def clean_files(self):
        files = self.cleaned_data["files"]
        if len(files) > MAX_FILES:
            raise forms.ValidationError(f"Upload at most {MAX_FILES} files at a time; put more in a .zip.")
        limit = getattr(settings, "IMPORT_MAX_UPLOAD_BYTES", 10 * 1024**3)
        for upload in files:
            if upload.size == 0:
                raise forms.ValidationError(f"{upload.name} is empty.")
            if upload.size > limit:
                raise forms.ValidationError(f"{upload.name} is larger than {limit:,} bytes.")
        return files
