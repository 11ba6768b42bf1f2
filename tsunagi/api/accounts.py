from typing import Any

from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from tsunagi.access import audit
from tsunagi.access.policy import Action, Kind, get_visible, require, scope
from tsunagi.accounts import services
from tsunagi.accounts.models import ApiToken, Membership, Role, User
from tsunagi.agencies.models import Agency
from tsunagi.web.text import normalize_text

from .schemas import Error, ValidationErrorOut

auth_router = Router(tags=["auth"])
users_router = Router(tags=["users"])


class TokenIn(Schema):
    username: str = Field(..., min_length=1, max_length=150)
    password: str = Field(..., min_length=1, max_length=200)
    label: str = Field("", max_length=100)


class TokenOut(Schema):
    token: str
    expires_at: Any
    username: str


@auth_router.post(
    "/token",
    auth=None,
    response={200: TokenOut, 401: Error, 422: ValidationErrorOut},
    summary="Exchange a user name and password for a bearer token",
)
def issue_token(request: HttpRequest, payload: TokenIn) -> Any:
    username = normalize_text(payload.username)
    user = User.objects.filter(username=username).first()
    if user is not None and services.is_locked(user):
        services.login_failed(username)
        audit.record("login.refused_locked", request=request, username=username)
        return 401, {"detail": _("Too many failed attempts. Try again later or ask the operator.")}
    user = authenticate(request, username=username, password=payload.password)
    if user is None:
        return 401, {"detail": _("The user name or password is not correct.")}
    services.login_succeeded(user)
    token, raw = ApiToken.issue(user, label=payload.label)
    audit.record("token.issued", actor=user, request=request, obj=token)
    return {"token": raw, "expires_at": token.expires_at, "username": user.get_username()}


class MembershipOut(Schema):
    id: int
    agency_id: int | None
    agency_name: str | None = Field(None, alias="agency.name")
    role: str
    is_active: bool


class UserOut(Schema):
    id: int
    username: str
    full_name: str
    full_name_kana: str
    email: str
    is_active: bool
    memberships: list[MembershipOut]

    @staticmethod
    def resolve_memberships(obj: User) -> list[Membership]:
        return [m for m in obj.memberships.all() if m.is_active]


class UserIn(Schema):
    username: str = Field(..., min_length=1, max_length=150)
    full_name: str = Field(..., min_length=1, max_length=100)
    full_name_kana: str = Field("", max_length=100)
    email: str = Field("", max_length=254)
    password: str = Field(..., min_length=1, max_length=200)
    agency_id: int | None = None
    role: Role


@users_router.get("", response={200: list[UserOut], 401: Error}, summary="Users the caller may see")
@paginate(PageNumberPagination, page_size=50)
def list_users(request: HttpRequest, q: str = "") -> Any:
    users = (
        scope(request.user, Kind.USER, User.objects.all())
        .prefetch_related("memberships__agency")
        .order_by("username")
    )
    if q:
        users = users.filter(username__icontains=normalize_text(q))
    return users


@users_router.get("/me", response={200: UserOut, 401: Error}, summary="The caller's own account")
def me(request: HttpRequest) -> Any:
    return User.objects.prefetch_related("memberships__agency").get(pk=request.user.pk or 0)


@users_router.get("/{user_id}", response={200: UserOut, 401: Error, 404: Error})
def get_user(request: HttpRequest, user_id: int) -> Any:
    return get_visible(
        request.user, Kind.USER, User.objects.prefetch_related("memberships__agency"), pk=user_id
    )


@users_router.post(
    "",
    response={201: UserOut, 401: Error, 403: Error, 404: Error, 422: ValidationErrorOut},
    summary="Create a user with a role (operator: any; a manager: staff of their own agency)",
)
def create_user(request: HttpRequest, payload: UserIn) -> Any:
    require(request.user, Action.CREATE, Kind.USER)
    agency = None
    if payload.agency_id is not None:
        agency = get_visible(request.user, Kind.AGENCY, Agency.objects.all(), pk=payload.agency_id)
    from django.db import transaction

    with transaction.atomic():
        user = services.create_user(
            request.user,
            username=normalize_text(payload.username),
            full_name=normalize_text(payload.full_name),
            full_name_kana=normalize_text(payload.full_name_kana),
            email=payload.email,
            password=payload.password,
            request=request,
        )
        services.set_membership(
            request.user, user=user, agency=agency, role=payload.role, request=request
        )
    return 201, User.objects.prefetch_related("memberships__agency").get(pk=user.pk)
