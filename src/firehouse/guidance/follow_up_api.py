"""Follow-ups over HTTP, and the trackers' webhooks."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
