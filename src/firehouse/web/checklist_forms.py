"""The checklist panel's form: settle an item (done with a note, not applicable with a
reason) or reopen it. Parses, authorises, calls one use case, then Post/Redirect/Get; a
refusal re-renders the incident page with the error beside the item's note."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from firehouse.auth.roles import AccessRole
from firehouse.errors import DomainError
from firehouse.guidance import checklist_service
from firehouse.incidents.visibility import sight_of
from firehouse.web.deps import CsrfUser, FormData, ensure_role, runtime_of
from firehouse.web.incident_page_render import Feedback, parse_number, render_page
from firehouse.web.pages import Redirect, WebRoute, refusal

router = APIRouter(include_in_schema=False, route_class=WebRoute)

KEY_LIMIT = 40


@router.post("/incidents/{number}/checklist/{key}")
def change_item(
    request: Request, number: str, key: str, user: CsrfUser, data: FormData
) -> Response:
    parsed = parse_number(number)
    ensure_role(user, AccessRole.RESPONDER, "Changing a checklist")
    runtime = runtime_of(request)
    try:
        with runtime.db.write() as session:
            checklist_service.change_item(
                session,
                parsed,
                key[:KEY_LIMIT],
                data.get("state", ""),
                data.get("note"),
                actor=user.actor,
                now=runtime.clock.now(),
                sight=sight_of(user),
            )
    except DomainError as error:
        if error.status in {404, 503} and error.field in {"number", None}:
            raise refusal(error) from None
        control = f"checklist-{key}-note"
        feedback = (
            Feedback(errors={control: error.message}, values={control: data.get("note", "")})
            if error.field == "note"
            else Feedback(
                problem=f"{error.field}: {error.message}" if error.field else error.message
            )
        )
        return render_page(request, user, parsed, status_code=error.status, feedback=feedback)
    raise Redirect(f"/incidents/{parsed}#checklist")
