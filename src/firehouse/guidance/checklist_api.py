"""GET /api/v1/incidents/{number}/checklist and its changes."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
