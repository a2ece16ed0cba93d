"""Captured-style intake payloads (tests/fixtures/alerts) and JSON strategies for the parsers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

FIXTURES = Path(__file__).parent.parent / "fixtures" / "alerts"


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=20)
    | st.sampled_from(
        ["", "firing", "resolved", "trigger", "P1", "critical", "2024-05-14T09:31:07Z"]
    )
)


def json_values(keys: list[str]) -> st.SearchStrategy[Any]:
    """Arbitrary JSON whose object keys are often the format's own, so the parser goes deep."""
    names = st.sampled_from(keys) | st.text(max_size=8)
    return st.recursive(
        scalars,
        lambda children: (
            st.lists(children, max_size=4) | st.dictionaries(names, children, max_size=6)
        ),
        max_leaves=40,
    )
