"""Support plans and evaluations (being written)."""

from ninja import Router

router = Router(tags=["plans"])
