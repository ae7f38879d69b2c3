"""Forms for linkage. Each keeps what was chosen or typed when it re-renders with errors."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from wrekin.accounts.models import Agency
from wrekin.linkage import imports
from wrekin.linkage.extracts import CANONICAL_FIELDS
from wrekin.people.models import PersonKind

NOT_IN_FILE = ""


class UploadForm(forms.Form):
    agency = forms.ModelChoiceField(
        label="Whose records are these?", queryset=Agency.objects.none(), empty_label=None,
        help_text="New people are recorded by this agency, and it becomes involved with everyone its records match",
    )
    person_kind = forms.ChoiceField(label="Who are the records about?", choices=PersonKind.choices,
                                    widget=forms.RadioSelect, initial=PersonKind.CHILD)
    extract = forms.FileField(
        label="Extract file",
        help_text=f"A CSV (UTF-8) or an Excel workbook (.xlsx), at most "
                  f"{imports.MAX_UPLOAD_BYTES // (1024 * 1024)} MB, with the column names in row 1",
        error_messages={"required": "Choose the extract file to upload", "empty": "The file is empty"},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.filter(partnership_id=user.agency.partnership_id,
                                                               is_active=True).order_by("name")
        self.fields["agency"].initial = user.agency.pk

    def clean_extract(self):
        upload = self.cleaned_data["extract"]
        if imports.file_format_for(upload.name) is None:
            raise ValidationError("The file must be a CSV (.csv) or an Excel workbook (.xlsx)")
        if upload.size > imports.MAX_UPLOAD_BYTES:
            raise ValidationError(f"The file must be smaller than {imports.MAX_UPLOAD_BYTES // (1024 * 1024)} MB")
        return upload


class MappingForm(forms.Form):
    """One drop-down per linkage field, listing the file's columns; the id column is required."""

    def __init__(self, *args, headers: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        columns = [(header, header) for header in headers if header]
        self.fields["id_column"] = forms.ChoiceField(
            label="Record id", choices=[(NOT_IN_FILE, "Choose a column"), *columns],
            help_text="The column holding each record's own id in the agency's system: it makes a second import "
                      "of the same file update records instead of copying them",
            error_messages={"required": "Choose the column that holds each record's own id"})
        for canonical in CANONICAL_FIELDS[1:]:
            self.fields[canonical] = forms.ChoiceField(
                label=imports.FIELD_LABELS[canonical], required=False,
                choices=[(NOT_IN_FILE, "Not in this file"), *columns])

    def mapping_fields(self):
        return [self[name] for name in CANONICAL_FIELDS[1:]]

    def clean(self):
        data = super().clean()
        seen: dict[str, str] = {}
        for name in ("id_column", *CANONICAL_FIELDS[1:]):
            column = data.get(name)
            if not column:
                continue
            if column in seen:
                self.add_error(name, f"'{column}' is already chosen for {self.fields[seen[column]].label.lower()}: "
                                     "each column can hold one field only")
            else:
                seen[column] = name
        return data

    def mapping(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in CANONICAL_FIELDS[1:] if self.cleaned_data.get(name)}


class DecisionForm(forms.Form):
    SAME, DIFFERENT = "same", "different"
    decision = forms.ChoiceField(
        label="Are these records about the same person?", widget=forms.RadioSelect,
        choices=[(SAME, "Yes, the same person: merge them"), (DIFFERENT, "No, two different people")],
        error_messages={"required": "Say whether these records are about the same person"})
    survivor = forms.TypedChoiceField(
        label="If they are the same person, which record should be kept as the main record?",
        widget=forms.RadioSelect, coerce=int, required=False,
        help_text="The other record's history moves onto it. The merge can be undone.")
    reason = forms.CharField(
        label="Reason for your decision", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
        help_text="What convinced you: for example the same NHS number, or the school confirmed they are twins",
        error_messages={"required": "Give the reason for your decision"})

    def __init__(self, *args, candidate, **kwargs):
        super().__init__(*args, **kwargs)
        a, b = candidate.person_a, candidate.person_b
        self.fields["survivor"].choices = [
            (a.pk, f"Record A: {a.full_name} (recorded by {a.recorded_by_agency.name})"),
            (b.pk, f"Record B: {b.full_name} (recorded by {b.recorded_by_agency.name})"),
        ]
        self.fields["survivor"].initial = a.pk  # the earlier record, by default

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.SAME and not data.get("survivor"):
            self.add_error("survivor", "Choose which record to keep as the main record")
        return data


class UnmergeForm(forms.Form):
    reason = forms.CharField(
        label="Why are you undoing this merge?", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
        help_text="For example: the dates of birth differ and the school confirmed they are two children",
        error_messages={"required": "Give the reason for undoing the merge"})
