"""What the Atlassian Statuspage mirror remembers: which Atlassian incident mirrors which
public incident, and how far its updates have gone.

Statuspage's manage API has no idempotency key, so a create or an update whose reply was
lost cannot simply be sent again. The row is written *before* each such call (`attempted_at`,
`pending_update_id`) and completed after it; a retry that finds an unfinished step looks on
Statuspage first and adopts what the lost call made, instead of making it twice.
`last_event_id` is the newest outbox event applied: an older one delivered again (its
`delivered` mark was lost, or an operator retried it) would only undo newer state.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from firehouse.db import Base


class AtlassianIncidentLink(Base):
    """One public incident on one Atlassian page. `atlassian_incident_id` None: a create was
    attempted and not yet confirmed (its reply may have been lost)."""

    __tablename__ = "atlassian_statuspage_incidents"

    page_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    public_incident_id: Mapped[str] = mapped_column(
        ForeignKey("public_incidents.id"), primary_key=True
    )
    atlassian_incident_id: Mapped[str | None] = mapped_column(String(64))
    attempted_at: Mapped[datetime]  # the newest create or update sent (see IN_FLIGHT_GRACE)
    linked_at: Mapped[datetime | None]
    last_event_id: Mapped[int | None] = mapped_column(BigInteger)
    pending_update_id: Mapped[str | None] = mapped_column(String(20))
