"""Every web page's router, in one place for the application factory."""

from __future__ import annotations

from fastapi import APIRouter

from firehouse.web import (
    admin,
    checklist_forms,
    dashboard,
    declare,
    follow_up_pages,
    incident_list,
    incident_page,
    live,
    oidc,
    postmortem_pages,
    report_pages,
    routes,
)

ROUTERS: tuple[APIRouter, ...] = tuple(
    part.router
    for part in (
        routes,
        oidc,
        dashboard,
        declare,
        incident_list,
        incident_page,
        live,
        admin,
        postmortem_pages,
        report_pages,
        follow_up_pages,
        checklist_forms,
    )
)
