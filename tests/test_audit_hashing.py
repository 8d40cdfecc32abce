"""The trail's hashes and checkpoint signatures, without a database."""

import dataclasses
import datetime

import pytest

from clinic.audit_hashing import (
    GENESIS_HASH,
    Checkpoint,
    batch_hash,
    checkpoint_signature,
)

SEALED = datetime.datetime(2026, 11, 30, 12, 0, tzinfo=datetime.UTC)


def a_batch(**changes) -> str:
    fields = {
        "number": 1,
        "first_sequence": 1,
        "last_sequence": 2,
        "previous_hash": GENESIS_HASH,
        "sealed_at": SEALED,
        "entries": [(1, "a" * 64), (2, "b" * 64)],
    }
    return batch_hash(**{**fields, **changes})


@pytest.mark.parametrize(
    "changes",
    [
        {"number": 2},
        {"first_sequence": 2},
        {"last_sequence": 3},
        {"previous_hash": "f" * 64},
        {"sealed_at": SEALED + datetime.timedelta(seconds=1)},
        {"entries": [(2, "b" * 64), (1, "a" * 64)]},
        {"entries": [(1, "a" * 64)]},
        {"entries": [(1, "a" * 64), (2, "c" * 64)]},
    ],
)
def test_a_batch_hash_covers_its_header_and_its_entries_in_order(changes):
    assert a_batch(**changes) != a_batch()


def test_a_checkpoint_is_signed_with_the_key_and_read_back_from_its_copy():
    hash_ = a_batch()
    checkpoint = Checkpoint(
        batch=1,
        last_sequence=2,
        hash=hash_,
        signature=checkpoint_signature("key", batch=1, last_sequence=2, hash=hash_),
    )
    assert Checkpoint.from_json(checkpoint.as_json()) == checkpoint
    assert checkpoint.is_signed_with("key")
    assert not checkpoint.is_signed_with("another key")
    assert not dataclasses.replace(checkpoint, last_sequence=1).is_signed_with("key")


@pytest.mark.parametrize("text", ["", "{}", '{"version": "v0"}', "[1]", "not json"])
def test_anything_else_is_not_read_as_a_checkpoint(text):
    with pytest.raises(ValueError):
        Checkpoint.from_json(text)
