from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from tsunagi.agencies.models import Agency
from tsunagi.web.forms import TsunagiForm, _choice, _choices
from tsunagi.web.text import normalize_text

from . import services
from .models import Role, User


class LoginForm(AuthenticationForm):
    """Django's login, with width-normalised user names and the lock after repeated failures."""

    error_messages = {
        "invalid_login": _("The user name or password is not correct."),
        "inactive": _("This account is not active."),
        "locked": _("Too many failed attempts. Try again later or ask the operator."),
    }

    def clean(self) -> dict[str, Any]:
        username = normalize_text(self.data.get("username", ""))
        user = User.objects.filter(username=username).first()
        if user is not None and services.is_locked(user):
            services.login_failed(username)
            from tsunagi.access import audit

            audit.record("login.refused_locked", request=self.request, username=username)
            raise forms.ValidationError(self.error_messages["locked"], code="locked")
        self.cleaned_data["username"] = username
        return super().clean()


class UserCreateForm(TsunagiForm):
    username = forms.CharField(label=_("user name"), max_length=150)
    full_name = forms.CharField(label=_("full name"), max_length=100)
    full_name_kana = forms.CharField(label=_("full name (kana)"), max_length=100, required=False)
    email = forms.EmailField(label=_("e-mail"), required=False)
    password = forms.CharField(
        label=_("initial password"),
        widget=forms.PasswordInput(render_value=True),
        help_text=_("At least 10 characters. The user changes it after the first login."),
    )
    agency: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("agency or office"), queryset=Agency.objects.none(), required=False
    )
    role = forms.ChoiceField(label=_("role"), choices=Role.choices)

    def __init__(
        self, *args: Any, agencies: Any, roles: list[tuple[str, Any]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        _choice(self, "agency").queryset = agencies
        _choices(self, "role").choices = roles


class MembershipForm(TsunagiForm):
    agency: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("agency or office"), queryset=Agency.objects.none(), required=False
    )
    role = forms.ChoiceField(label=_("role"), choices=Role.choices)

    def __init__(
        self, *args: Any, agencies: Any, roles: list[tuple[str, Any]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        _choice(self, "agency").queryset = agencies
        _choices(self, "role").choices = roles
