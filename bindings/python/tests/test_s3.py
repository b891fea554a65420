"""The vault on S3 (``s3://bucket/prefix``), against the local Garage server that
``scripts/start-garage.sh`` starts and describes in ``MEDVAULT_TEST_S3_BUCKET`` and the
``AWS_*`` variables. Skipped when no test bucket is set."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import pytest

import medvault
from conftest import PASSPHRASE

BUCKET = os.environ.get("MEDVAULT_TEST_S3_BUCKET")

pytestmark = pytest.mark.skipif(
    not BUCKET, reason="no test bucket: run under scripts/start-garage.sh's exports"
)


def test_records_round_trip_on_s3(tmp_path: Path):
    location = f"s3://{BUCKET}/python-{secrets.token_hex(8)}"
    with medvault.Vault.create(location, passphrase=PASSPHRASE, index=tmp_path / "a") as vault:
        meta = vault.put(b"x-ray report", scope="patient-3", kind="imaging")
        many = vault.put_many([(b"note %d" % i, {"scope": "patient-3", "kind": "note"}) for i in range(20)])
    # A second instance (another index folder: another writer) reads everything from S3.
    with medvault.Vault.open(location, passphrase=PASSPHRASE, index=tmp_path / "b") as vault:
        assert vault.get(meta.id).payload == b"x-ray report"
        assert len(vault.list_scope("patient-3")) == 21
        assert vault.get(many[7].id).payload == b"note 7"
    with pytest.raises(medvault.WrongPassphraseError):
        medvault.Vault.open(location, passphrase="not it", index=tmp_path / "c")
