"""Form helpers: every text input normalised (full/half width), dates in either calendar."""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from .text import normalize_phone, normalize_text, to_halfwidth
from .wareki import EARLIEST, DateFormatError, format_wareki, parse_date


def _strip(text: str) -> str:
    return text.replace("\r\n", "\n").strip()


class NormalizingMixin:
    """Strip and width-normalise every one-line CharField before validation (NFKC: ＡＢ１→AB1,
    ｱ→ア); text areas are only stripped."""

    fields: dict[str, forms.Field]

    def _normalise_data(self, data: Any) -> Any:
        if data is None or not hasattr(data, "copy"):
            return data
        data = data.copy()
        for name, field in self.fields.items():
            key = self.add_prefix(name)  # type: ignore[attr-defined]
            if (
                isinstance(field, forms.CharField)
                and key in data
                and not isinstance(field.widget, forms.PasswordInput)
            ):
                values = data.getlist(key) if hasattr(data, "getlist") else [data[key]]
                # Prose (a textarea) is kept as written, line breaks and full-width punctuation
                # included: the person's wishes are recorded in their words (rule R1).
                clean = _strip if isinstance(field.widget, forms.Textarea) else normalize_text
                cleaned = [clean(v) if isinstance(v, str) else v for v in values]
                if hasattr(data, "setlist"):
                    data.setlist(key, cleaned)
                else:
                    data[key] = cleaned[0]
        return data


def _choice(form: forms.BaseForm, name: str) -> forms.ModelChoiceField:
    """A form's model-choice field, typed (its queryset is set per request)."""
    return cast(forms.ModelChoiceField, form.fields[name])


def _choices(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    return cast(forms.ChoiceField, form.fields[name])


class TsunagiForm(NormalizingMixin, forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.data = self._normalise_data(self.data)


class TsunagiModelForm(NormalizingMixin, forms.ModelForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.data = self._normalise_data(self.data)


class JapaneseDateInput(forms.TextInput):
    """Shows 令和7年4月1日; the user may type that, R7.4.1 or 2025-04-01."""

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, date):
            # an old stored date (before 明治6年) shows in the Western calendar, never fails
            return format_wareki(value) if value >= EARLIEST else value.isoformat()
        return super().format_value(value)


class JapaneseDateField(forms.Field):
    widget = JapaneseDateInput
    default_error_messages = {
        "invalid": _("Enter a date such as 令和7年4月1日, R7.4.1 or 2025-04-01.")
    }

    def to_python(self, value: Any) -> date | None:
        if value in self.empty_values:
            return None
        if isinstance(value, date):
            return value
        try:
            return parse_date(str(value))
        except DateFormatError as exc:
            raise forms.ValidationError(str(exc), code="invalid") from exc


class PhoneField(forms.CharField):
    def to_python(self, value: Any) -> str:
        return normalize_phone(super().to_python(value) or "")


class PostalCodeField(forms.CharField):
    """Accepts 7800850, 780-0850, ７８０－０８５０; stores 780-0850."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 10)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        from tsunagi.jurisdictions.postal import (
            PostalCodeError,
            format_postal_code,
            normalize_postal_code,
        )

        text = to_halfwidth(super().to_python(value) or "")
        if not text:
            return ""
        try:
            return format_postal_code(normalize_postal_code(text))
        except PostalCodeError as exc:
            raise forms.ValidationError(str(exc), code="invalid") from exc
