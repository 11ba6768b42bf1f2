"""Login, logout, password change, and the management of users and their roles."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from tsunagi.access.policy import (
    MANAGER_ASSIGNABLE_ROLES,
    Action,
    Kind,
    agencies_with,
    can,
    get_visible,
    is_operator,
    require,
    scope,
)
from tsunagi.agencies.models import Agency
from tsunagi.web.decorators import member_required, public
from tsunagi.web.text import normalize_text

from . import services
from .forms import LoginForm, MembershipForm, UserCreateForm
from .models import Membership, Role, User

login = public(
    auth_views.LoginView.as_view(
        template_name="accounts/login.html",
        authentication_form=LoginForm,
        redirect_authenticated_user=True,
    )
)
logout = public(auth_views.LogoutView.as_view())


class PasswordChange(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("web:home")

    def form_valid(self, form: Any) -> HttpResponse:
        from tsunagi.access import audit

        response = super().form_valid(form)
        audit.record("password.changed", request=self.request, obj=self.request.user)
        messages.success(self.request, _("Your password was changed."))
        return response


password_change = member_required(PasswordChange.as_view())


def _assignable(user: Any) -> tuple[Any, list[tuple[str, Any]]]:
    """Agencies and roles this user may hand out (the access module decides per membership)."""
    if is_operator(user):
        return Agency.objects.filter(is_active=True).order_by("prefecture__code", "name"), list(
            Role.choices
        )
    managed = agencies_with(user, Role.MANAGER)
    return (
        Agency.objects.filter(pk__in=managed).order_by("name"),
        [(r.value, r.label) for r in Role if r in MANAGER_ASSIGNABLE_ROLES],
    )


@member_required
def user_list(request: HttpRequest) -> HttpResponse:
    users = (
        scope(request.user, Kind.USER, User.objects.all())
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.filter(is_active=True).select_related("agency"),
            )
        )
        .order_by("username")
    )
    q = normalize_text(request.GET.get("q", ""))
    if q:
        users = users.filter(
            Q(username__icontains=q) | Q(full_name__icontains=q) | Q(full_name_kana__icontains=q)
        )
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/user_list.html",
        {
            "page": page,
            "q": q,
            "querystring_base": f"q={q}&" if q else "",
            "can_create": can(request.user, Action.CREATE, Kind.USER),
        },
    )


@member_required
def user_create(request: HttpRequest) -> HttpResponse:
    require(request.user, Action.CREATE, Kind.USER)
    agencies, roles = _assignable(request.user)
    form = UserCreateForm(request.POST or None, agencies=agencies, roles=roles)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.create_user(
                request.user,
                username=data["username"],
                full_name=data["full_name"],
                full_name_kana=data["full_name_kana"],
                email=data["email"],
                password=data["password"],
                request=request,
            )
            services.set_membership(
                request.user, user=user, agency=data["agency"], role=data["role"], request=request
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("The user was created."))
            return redirect("accounts:user_detail", pk=user.pk)
    return render(request, "accounts/user_form.html", {"form": form})


@member_required
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_visible(request.user, Kind.USER, User.objects.all(), pk=pk)
    memberships = target.memberships.select_related("agency").order_by("-is_active", "agency__name")
    agencies, roles = _assignable(request.user)
    form = None
    if can(request.user, Action.CREATE, Kind.MEMBERSHIP):
        form = MembershipForm(request.POST or None, agencies=agencies, roles=roles)
        if request.method == "POST" and form.is_valid():
            try:
                services.set_membership(
                    request.user,
                    user=target,
                    agency=form.cleaned_data["agency"],
                    role=form.cleaned_data["role"],
                    request=request,
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("The role was saved."))
                return redirect("accounts:user_detail", pk=target.pk)
    return render(
        request,
        "accounts/user_detail.html",
        {
            "target": target,
            "memberships": [
                (m, can(request.user, Action.CHANGE, Kind.MEMBERSHIP, m)) for m in memberships
            ],
            "form": form,
        },
    )


@member_required
def membership_end(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_visible(
        request.user, Kind.MEMBERSHIP, Membership.objects.select_related("user", "agency"), pk=pk
    )
    require(request.user, Action.CHANGE, Kind.MEMBERSHIP, membership)
    if request.method == "POST":
        services.end_membership(request.user, membership, request=request)
        messages.success(request, _("The role was ended."))
    return redirect("accounts:user_detail", pk=membership.user_id)
