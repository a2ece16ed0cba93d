"""The status page's use cases in one place, for surfaces that want a single import.

Each lives in the module of its subject: components, public incidents, maintenance, and the
link to internal incidents. This module only gathers them.
"""

from __future__ import annotations

from firehouse.statuspage.linking import (
    linked_to,
    linked_to_number,
    propose_resolution,
    withdraw_proposal,
)
from firehouse.statuspage.service_components import (
    get_component,
    list_components,
    recompute,
    set_status,
)
from firehouse.statuspage.service_incidents import (
    create_incident,
    patch_incident,
    post_update,
    publish_incident,
    raise_impact,
    resolve,
)
from firehouse.statuspage.service_maintenance import (
    advance_maintenances,
    create_maintenance,
    update_maintenance,
)

__all__ = [
    "advance_maintenances",
    "create_incident",
    "create_maintenance",
    "get_component",
    "linked_to",
    "linked_to_number",
    "list_components",
    "patch_incident",
    "post_update",
    "propose_resolution",
    "publish_incident",
    "raise_impact",
    "recompute",
    "resolve",
    "set_status",
    "update_maintenance",
    "withdraw_proposal",
]
