"""Read-only admin views of the catalogue and the applied configuration.

Services, people, teams and the priority policy are configuration as code: they change only
through firehouse.yaml and `firehouse config apply`, so these pages show and never edit.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from firehouse.catalog import service as catalog
from firehouse.catalog.applied import applied_config
from firehouse.catalog.directory import service_card
from firehouse.web.admin_yaml import as_yaml
from firehouse.web.deps import AdminUser, runtime_of
from firehouse.web.pages import PageError, WebRoute, render

router = APIRouter(include_in_schema=False, route_class=WebRoute)


@router.get("/admin/services")
def admin_services(request: Request, user: AdminUser) -> Response:
    with runtime_of(request).db.read() as session:
        services = catalog.list_services(session, include_inactive=True)
        return render(
            "admin_services.html",
            user=user,
            section="admin",
            admin_page="services",
            services=services,
        )


@router.get("/admin/services/{service_id}")
def admin_service(request: Request, user: AdminUser, service_id: str) -> Response:
    runtime = runtime_of(request)
    with runtime.db.read() as session:
        card = service_card(session, service_id, runtime.clock.now())
        if card is None:
            raise PageError(404, "Not found", f"There is no active service '{service_id}'.")
        return render(
            "admin_service.html", user=user, section="admin", admin_page="services", card=card
        )


@router.get("/admin/people")
def admin_people(request: Request, user: AdminUser) -> Response:
    with runtime_of(request).db.read() as session:
        people = catalog.list_people(session)
        return render(
            "admin_people.html", user=user, section="admin", admin_page="people", people=people
        )


@router.get("/admin/teams")
def admin_teams(request: Request, user: AdminUser) -> Response:
    with runtime_of(request).db.read() as session:
        teams = catalog.list_teams(session)
        return render(
            "admin_teams.html", user=user, section="admin", admin_page="teams", teams=teams
        )


@router.get("/admin/config")
def admin_config(request: Request, user: AdminUser) -> Response:
    with runtime_of(request).db.read() as session:
        applied = applied_config(session)
        policy = catalog.load_policy(session)
    document = applied.document if applied is not None else None
    return render(
        "admin_config.html",
        user=user,
        section="admin",
        admin_page="config",
        applied=applied,
        document=as_yaml(document) if document is not None else None,
        levels=policy.ordered(),
    )
