"""Where the guidance policy comes from at run time: the `guidance:` section last applied from
firehouse.yaml (stored as an organisation setting), over the runbook's defaults."""

from __future__ import annotations

from sqlalchemy.orm import Session

from firehouse.catalog.model import OrganisationSetting
from firehouse.guidance.policy import GuidancePolicy, from_settings

SETTING_KEY = "guidance"


def load_guidance(session: Session) -> GuidancePolicy:
    """Read per use, never cached: an applied config change takes effect at the next change."""
    return from_settings(getattr(session.get(OrganisationSetting, SETTING_KEY), "value", None))
