"""Rendering pages, and the one way a page refuses: raise `PageError`, and the web routes'
route class turns it into an HTML page (or a redirect) instead of the API's JSON error."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from jinja2 import Environment, PackageLoader, select_autoescape

from firehouse.errors import DomainError

_ENV = Environment(
    loader=PackageLoader("firehouse.web", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)

# Pages show who is signed in, so no shared cache may keep them; and no other site may frame them.
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def template_macro(template: str, name: str) -> Callable[..., Any]:
    """A macro of a template, to call from Python (its output is escaped Markup)."""
    macro: Callable[..., Any] = getattr(_ENV.get_template(template).module, name)
    return macro


def render(template: str, *, status_code: int = 200, **context: Any) -> HTMLResponse:
    body = _ENV.get_template(template).render(**context)
    return HTMLResponse(body, status_code=status_code, headers=PAGE_HEADERS)


class PageError(Exception):
    """A refusal shown as a page: `title` and `message` in words a person can act on."""

    def __init__(
        self, status_code: int, title: str, message: str, *, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(title)
        self.status_code = status_code
        self.title = title
        self.message = message
        self.headers = headers or {}

    def response(self) -> Response:
        page = render(
            "error.html", status_code=self.status_code, title=self.title, message=self.message
        )
        page.headers.update(self.headers)
        return page


_TITLES = {404: "Not found", 409: "Changed meanwhile", 422: "Not accepted", 503: "Busy"}


def refusal(error: DomainError) -> PageError:
    """A domain refusal no form on the page handles itself, as a page naming the field."""
    message = f"{error.field}: {error.message}" if error.field else error.message
    if error.status == 503:
        message = "The database is busy. Wait a moment and try again."
    return PageError(error.status, _TITLES.get(error.status, "Refused"), message)


class Redirect(Exception):
    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location

    def response(self) -> Response:
        return RedirectResponse(
            self.location, status_code=303, headers={"Cache-Control": "no-store"}
        )


class WebRoute(APIRoute):
    """Catches PageError and Redirect from the route and from its dependencies, and turns a
    domain refusal nothing else caught into a page rather than the API's JSON."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except (PageError, Redirect) as signal:
                return signal.response()
            except DomainError as error:
                return refusal(error).response()

        return handle
