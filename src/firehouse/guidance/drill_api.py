"""POST /api/v1/drills: start a training drill (a P5 training incident), optionally scripted
by a scenario."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, StringConstraints

from firehouse.guidance import scenario as scenarios
from firehouse.guidance.drills import start_drill
from firehouse.httpapi.deps import Responder, RuntimeDep
from firehouse.httpapi.errors import documented
from firehouse.httpapi.types import Id, Title
from firehouse.incidents.schemas import IncidentOut, incident_out

router = APIRouter(
    prefix="/api/v1/drills", tags=["drills"], responses=documented(401, 403, 404, 422)
)

ScenarioText = Annotated[str, StringConstraints(max_length=scenarios.MAX_BYTES)]


class DrillIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    service: Id | None = None
    message: Title | None = None
    scenario: ScenarioText | None = None  # the scenario file's YAML text


@router.post("", status_code=201)
def start(body: DrillIn, runtime: RuntimeDep, caller: Responder, response: Response) -> IncidentOut:
    """Declares a P5 training incident: never paged, never on the public status page, left out
    of reports. A scenario's steps are played onto it as their time comes."""
    scripted = scenarios.parse(body.scenario) if body.scenario is not None else None
    with runtime.db.write() as session:
        incident = start_drill(
            session,
            service=body.service,
            message=body.message,
            scenario=scripted,
            actor=caller.actor,
            now=runtime.clock.now(),
        )
        out = incident_out(incident, runtime.settings.base_url)
    response.headers["Location"] = f"/api/v1/incidents/{out.number}"
    return out
