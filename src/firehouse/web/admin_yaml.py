"""The applied configuration shown as the YAML an administrator wrote, in the file's order."""

from __future__ import annotations

from typing import Any

import yaml


def as_yaml(document: dict[str, Any]) -> str:
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, default_flow_style=False)
