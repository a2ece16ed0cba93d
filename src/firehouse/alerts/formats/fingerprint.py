"""Identities for alerts whose sender gives none.

`label_fingerprint` is Prometheus's own label-set fingerprint (FNV-1a 64 over the sorted
labels, as `model.LabelSet.Fingerprint()` in prometheus/common), so an old Alertmanager
that omits `fingerprint` and a new one that sends it name the same alert alike: an upgrade
of the sender never opens duplicates.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping

_FNV_OFFSET = 14695981039346656037
_FNV_PRIME = 1099511628211
_MASK = (1 << 64) - 1
_SEPARATOR = b"\xff"  # prometheus/common's SeparatorByte: never valid in UTF-8


def label_fingerprint(labels: Mapping[str, str]) -> str:
    """Sixteen lowercase hex digits, equal to Alertmanager's `fingerprint` for these labels."""
    value = _FNV_OFFSET
    for name in sorted(labels):
        for part in (name, labels[name]):
            for byte in _utf8(part) + _SEPARATOR:
                value = ((value ^ byte) * _FNV_PRIME) & _MASK
    return f"{value:016x}"


def identity_fingerprint(*, source: str, summary: str, labels: Mapping[str, str]) -> str:
    """The generic format's identity: the same source, summary and labels are the same alert.

    A SHA-256 over a canonical JSON document, so no choice of strings can make two different
    identities collide by concatenation."""
    canonical = json.dumps(
        [source, summary, sorted(labels.items())], ensure_ascii=True, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()[:32]


def _utf8(text: str) -> bytes:
    # JSON may carry lone surrogates ("\ud800"); Go would hash their replacement bytes,
    # and whatever we hash must never raise on input a parser already accepted.
    return text.encode("utf-8", "surrogatepass")
