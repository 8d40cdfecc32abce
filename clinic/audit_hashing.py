"""The audit trail's hashes and signed checkpoints: pure functions, no database.

An entry's hash covers every column of its content. A batch's hash covers its number,
sequence range, sealing time, the previous batch's hash and, in sequence order, each
entry's sequence and hash; so changing, inserting, removing or reordering an entry
changes its batch's hash and every later one. A checkpoint (batch number, last
sequence, batch hash) is signed with HMAC-SHA256 under ``settings.AUDIT_KEY``, which
is never stored in the database: whoever rewrites the trail and re-hashes it without
the key cannot sign the result.

These formulas can never change without a new version: every batch sealed so far is
verified with them, and migration ``clinic/0010`` sealed the old chain with them.
"""

import datetime
import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass

GENESIS_HASH = "0" * 64
CHECKPOINT_VERSION = "clinic-audit-checkpoint-v1"

# The entry's content: every column but its id, sequence and hash.
ENTRY_CONTENT = (
    "content_type_id",
    "object_pk",
    "object_id",
    "object_repr",
    "serialized_data",
    "action",
    "changes_text",
    "changes",
    "actor_id",
    "actor_email",
    "cid",
    "remote_addr",
    "remote_port",
    "timestamp",
    "additional_data",
    "patient",
)


def _utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).isoformat()


def entry_hash(entry) -> str:
    """SHA-256 over an audit entry's content (any object with its attributes)."""
    content = {name: getattr(entry, name) for name in ENTRY_CONTENT}
    content["object_pk"] = str(content["object_pk"])
    content["timestamp"] = _utc(content["timestamp"])
    canonical = json.dumps(content, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def batch_hash(
    *,
    number: int,
    first_sequence: int,
    last_sequence: int,
    previous_hash: str,
    sealed_at: datetime.datetime,
    entries: Iterable[tuple[int, str]],
) -> str:
    """SHA-256 over a batch's header and its entries' (sequence, hash), in order."""
    header = {
        "number": number,
        "first_sequence": first_sequence,
        "last_sequence": last_sequence,
        "previous_hash": previous_hash,
        "sealed_at": _utc(sealed_at),
    }
    digest = hashlib.sha256(json.dumps(header, sort_keys=True).encode())
    for sequence, hash_ in entries:
        digest.update(f"\n{sequence} {hash_}".encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class Checkpoint:
    """The state of the trail as of one batch, signed with the audit key."""

    batch: int
    last_sequence: int
    hash: str
    signature: str

    def as_json(self) -> str:
        return json.dumps({"version": CHECKPOINT_VERSION, **asdict(self)}, indent=2)

    @classmethod
    def from_json(cls, text: str) -> "Checkpoint":
        """Read a checkpoint copy; ``ValueError`` if it is not one."""
        try:
            data = json.loads(text)
            if data.pop("version") != CHECKPOINT_VERSION:
                raise ValueError("not a version 1 checkpoint")
            return cls(
                batch=int(data["batch"]),
                last_sequence=int(data["last_sequence"]),
                hash=str(data["hash"]),
                signature=str(data["signature"]),
            )
        except (KeyError, TypeError, AttributeError, json.JSONDecodeError) as error:
            raise ValueError(f"not an audit checkpoint ({error})") from error

    def is_signed_with(self, key: str) -> bool:
        expected = checkpoint_signature(
            key, batch=self.batch, last_sequence=self.last_sequence, hash=self.hash
        )
        return hmac.compare_digest(expected, self.signature)


def checkpoint_signature(key: str, *, batch: int, last_sequence: int, hash: str) -> str:
    """HMAC-SHA256 under ``key`` of a checkpoint's batch, last sequence and hash."""
    message = f"{CHECKPOINT_VERSION} {batch} {last_sequence} {hash}"
    return hmac.new(key.encode(), message.encode(), hashlib.sha256).hexdigest()
