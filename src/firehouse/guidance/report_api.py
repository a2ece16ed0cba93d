"""GET /api/v1/reports/summary and its CSV."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
