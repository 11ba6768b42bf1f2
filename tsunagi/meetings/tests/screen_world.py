"""The situation the meeting screen tests start from: the center's staff with the 山田 household
(walkthrough A), the self-reliance agency's staff as the other member, the outsider in 東京都 and
`nobody`; meetings convened by the center with the self-reliance agency as member."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.test import Client
from django.utils import timezone

from tests.cast import Cast, make_cast
from tests.people import yamada_household
from tests.sharing import make_consent, receiver
from tsunagi.accounts.models import Role
from tsunagi.consent.models import Consent
from tsunagi.meetings import services
from tsunagi.meetings.models import Meeting
from tsunagi.people.models import Case, Person


@dataclass
class World:
    cast: Cast
    staff: Any  # the center's staff member (convenes)
    sr: Any  # the self-reliance agency's staff member (the other member)
    son: Person
    case: Case

    def meeting(self, kind: str = "article_9", **data: Any) -> Meeting:
        values = {
            "kind": kind,
            "title": "8050世帯の支援会議",
            "held_on": timezone.localdate(),
            "purpose": "8050世帯の見守り体制の検討",
            **data,
        }
        return services.create_meeting(
            self.staff, self.cast.center, values, members=[self.cast.self_reliance]
        )

    def consent(
        self, kinds: list[str], to: Any = None, meeting: Meeting | None = None, **data: Any
    ) -> Consent:
        """The son's consent to `to`, by default the self-reliance agency (every other member
        of the center's meetings), or to the members of `meeting` alone."""
        if meeting is not None:
            return make_consent(
                self.staff, self.son, to, kinds, case=self.case, recipient_meeting=meeting, **data
            )
        return make_consent(
            self.staff, self.son, to or self.cast.self_reliance, kinds, case=self.case, **data
        )


def make_world() -> World:
    cast = make_cast()
    staff = cast.users[Role.STAFF]
    _household, _mother, son, case = yamada_household(staff, cast.center)
    return World(cast, staff, receiver(cast), son, case)


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def html(response: Any) -> str:
    return str(response.content.decode())


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)
