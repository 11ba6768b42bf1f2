"""The API of persons, households, cases, contacts, assessments and flags."""

from ninja import Router

router = Router(tags=["people"])
