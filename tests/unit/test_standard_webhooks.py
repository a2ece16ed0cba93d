"""Standard Webhooks signing, checked against the specification's published example."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest

from firehouse.standard_webhooks import (
    InvalidSecret,
    headers,
    new_secret,
    sign,
    verify,
)

SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
SPEC_TIMESTAMP = 1614265330
SPEC_BODY = b'{"test": 2432232314}'
SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
SENT_AT = datetime.fromtimestamp(SPEC_TIMESTAMP, UTC)


def test_signature_matches_the_specifications_example() -> None:
    assert sign(SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY) == SPEC_SIGNATURE


def test_headers_carry_id_timestamp_and_signature() -> None:
    assert headers(SPEC_SECRET, SPEC_ID, SENT_AT, SPEC_BODY) == {
        "webhook-id": SPEC_ID,
        "webhook-timestamp": str(SPEC_TIMESTAMP),
        "webhook-signature": SPEC_SIGNATURE,
    }


def test_a_receiver_accepts_the_signed_request() -> None:
    received = headers(SPEC_SECRET, SPEC_ID, SENT_AT, SPEC_BODY)
    assert verify(SPEC_SECRET, received, SPEC_BODY, now=SENT_AT)


def test_one_matching_entry_among_several_signatures_is_enough() -> None:
    received = headers(SPEC_SECRET, SPEC_ID, SENT_AT, SPEC_BODY)
    received["webhook-signature"] = "v1,bm90IGl0 " + received["webhook-signature"]
    assert verify(SPEC_SECRET, received, SPEC_BODY, now=SENT_AT)


def test_a_changed_body_fails_verification() -> None:
    received = headers(SPEC_SECRET, SPEC_ID, SENT_AT, SPEC_BODY)
    assert not verify(SPEC_SECRET, received, b'{"test": 1}', now=SENT_AT)


def test_an_old_timestamp_fails_verification_as_a_replay() -> None:
    received = headers(SPEC_SECRET, SPEC_ID, SENT_AT, SPEC_BODY)
    later = datetime.fromtimestamp(SPEC_TIMESTAMP + 301, UTC)
    assert not verify(SPEC_SECRET, received, SPEC_BODY, now=later)


def test_missing_headers_fail_verification() -> None:
    assert not verify(SPEC_SECRET, {}, SPEC_BODY, now=SENT_AT)


def test_new_secrets_are_whsec_and_base64_of_random_bytes() -> None:
    secret = new_secret()
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"), validate=True)) == 24
    assert new_secret() != secret


def test_a_secret_that_is_not_base64_is_refused_without_quoting_it() -> None:
    with pytest.raises(InvalidSecret) as refused:
        sign("whsec_not*base64", SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY)
    assert "not*base64" not in str(refused.value)
