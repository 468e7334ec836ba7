"""API operations under /api/v1/cases of the similar app."""

from ninja import Router

router = Router(tags=["办件"])
