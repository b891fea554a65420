"""The raw vault: lifecycle, records, errors, threads, large payloads."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

import medvault
from conftest import PASSPHRASE, counter_advances_during, create_vault


def test_create_then_open_with_the_passphrase(tmp_path: Path):
    with create_vault(tmp_path) as vault:
        meta = vault.put(b"HbA1c 6.1%", scope="patient-17", kind="lab-result")
    assert vault.closed
    with medvault.Vault.open(
        tmp_path / "store", passphrase=PASSPHRASE.encode(), index=tmp_path / "index"
    ) as vault:
        assert vault.get(meta.id).payload == b"HbA1c 6.1%"


def test_wrong_passphrase(tmp_path: Path):
    create_vault(tmp_path).close()
    with pytest.raises(medvault.WrongPassphraseError) as caught:
        medvault.Vault.open(
            tmp_path / "store", passphrase="not-the-passphrase", index=tmp_path / "index"
        )
    assert isinstance(caught.value, medvault.VaultError)
    assert isinstance(caught.value, medvault.MedVaultError)
    assert "not-the-passphrase" not in str(caught.value)


def test_a_weak_passphrase_creates_no_vault(tmp_path: Path):
    for passphrase, reason in [
        ("x", "it must have at least 12 characters"),
        (b"password1234", "it is on the list of commonly used passwords"),
        ("ab" * 8, "it is a sequence of at most 4 characters repeated"),
    ]:
        with pytest.raises(medvault.WeakPassphraseError) as caught:
            medvault.Vault.create(
                tmp_path / "store", passphrase=passphrase, index=tmp_path / "index"
            )
        assert isinstance(caught.value, medvault.VaultError)
        assert str(caught.value) == f"the new passphrase is too weak: {reason}"
        assert not (tmp_path / "store").exists()
    create_vault(tmp_path).close()


def test_no_vault_and_vault_exists(tmp_path: Path):
    with pytest.raises(medvault.NoVaultError):
        medvault.Vault.open(tmp_path / "nothing", passphrase=PASSPHRASE, index=tmp_path / "i")
    create_vault(tmp_path).close()
    with pytest.raises(medvault.VaultExistsError):
        create_vault(tmp_path)


def test_bad_arguments_raise_typed_errors(tmp_path: Path, vault: medvault.Vault):
    with pytest.raises(medvault.InvalidInputError):
        medvault.Vault.create("ftp://host/x", passphrase=PASSPHRASE, index=tmp_path / "i")
    with pytest.raises(medvault.InvalidInputError):
        medvault.Vault.create(tmp_path / "x", passphrase=42, index=tmp_path / "i")  # type: ignore[arg-type]
    with pytest.raises(medvault.InvalidInputError):
        vault.get("not-an-id")
    with pytest.raises(medvault.RecordNotFoundError):
        vault.get("0" * 32)


def test_keyword_only_arguments(vault: medvault.Vault):
    with pytest.raises(TypeError):
        vault.put(b"x", "patient-1", "note")  # type: ignore[misc]
    with pytest.raises(TypeError):
        medvault.NewRecord("patient-1", "note")  # type: ignore[misc]
    with pytest.raises(TypeError):
        medvault.Vault.open("somewhere", PASSPHRASE)  # type: ignore[misc]


def test_records_round_trip(vault: medvault.Vault):
    meta = vault.put(
        b"blood pressure 120/80",
        scope="patient-1",
        kind="vitals",
        author="dr-house",
        content_type="text/plain",
        labels={"ward": "3"},
        created_ms=1_700_000_000_000,
    )
    assert len(meta.id) == 32
    assert (meta.version, meta.scope, meta.kind, meta.author) == (1, "patient-1", "vitals", "dr-house")
    assert (meta.content_type, meta.labels, meta.size) == ("text/plain", {"ward": "3"}, 21)
    assert meta.created_ms == 1_700_000_000_000

    record = vault.get(meta.id)
    assert record.meta == meta
    assert record.payload == b"blood pressure 120/80"
    assert vault.head(meta.id) == meta
    assert vault.get_range(meta.id, 6, 14) == b"pressure"

    amended = vault.amend(meta.id, b"blood pressure 130/85")
    assert (amended.id, amended.version) == (meta.id, 2)
    assert [m.version for m in vault.history(meta.id)] == [1, 2]
    assert vault.get(meta.id).payload == b"blood pressure 130/85"
    assert vault.get_version(meta.id, 1).payload == b"blood pressure 120/80"

    other = vault.put(b"x-ray", scope="patient-2", kind="imaging", created_ms=1_800_000_000_000)
    assert [m.id for m in vault.list_scope("patient-1")] == [meta.id]
    assert [m.id for m in vault.list_kind("imaging")] == [other.id]
    assert vault.list_kind("imaging", 0, 1_800_000_000_000) == []
    assert vault.list_kind("imaging", start_ms=1_800_000_000_000) != []
    assert {m.id for m in vault.list_all()} == {meta.id, other.id}

    vault.delete(meta.id)
    with pytest.raises(medvault.RecordNotFoundError):
        vault.get(meta.id)
    assert vault.list_scope("patient-1") == []

    report = vault.verify()
    assert report.is_sound and report.versions_ok >= 1
    assert vault.verify_audit().entries >= 1


def test_put_many_accepts_new_records_and_dicts(vault: medvault.Vault):
    metas = vault.put_many(
        [
            (b"one", medvault.NewRecord(scope="p", kind="note", labels={"n": "1"})),
            (b"two", {"scope": "p", "kind": "note", "content_type": "text/plain"}),
        ]
    )
    assert [vault.get(m.id).payload for m in metas] == [b"one", b"two"]
    assert metas[0].labels == {"n": "1"} and metas[1].content_type == "text/plain"
    with pytest.raises(TypeError):
        vault.put_many([(b"x", {"scope": "p", "kind": "note", "knid": "typo"})])
    with pytest.raises(medvault.InvalidInputError):
        vault.put_many([(b"x", 42)])
    assert vault.put_many([]) == []


def test_put_many_stores_all_or_nothing(vault: medvault.Vault):
    before = vault.list_scope("p")
    with pytest.raises(medvault.InvalidInputError):
        vault.put_many(
            [(b"kept back", {"scope": "p", "kind": "note"}), (b"bad", {"scope": "", "kind": "note"})]
        )
    assert vault.list_scope("p") == before


def test_shred_scope_makes_records_unreadable(vault: medvault.Vault):
    meta = vault.put(b"secret", scope="leaving-patient", kind="note")
    assert vault.shred_scope("leaving-patient") == 1
    with pytest.raises(medvault.MedVaultError):
        vault.get(meta.id)


def test_closed_vault_refuses_calls(tmp_path: Path):
    vault = create_vault(tmp_path)
    vault.close()
    vault.close()  # harmless
    with pytest.raises(medvault.VaultClosedError):
        vault.put(b"x", scope="p", kind="k")
    assert "closed" in repr(vault)


def test_reprs_show_metadata_only(vault: medvault.Vault):
    meta = vault.put(b"PAYLOAD-MARKER", scope="p", kind="note")
    record = vault.get(meta.id)
    for text in (repr(meta), repr(record)):
        assert "PAYLOAD-MARKER" not in text
    assert meta.id in repr(record) and "14 bytes" in repr(record)


def test_large_record_round_trip_and_ranged_read(vault: medvault.Vault):
    payload = bytes(range(256)) * (20 * 1024 * 1024 // 256)
    meta = vault.put(payload, scope="patient-9", kind="scan")
    assert meta.size == len(payload)
    assert vault.get(meta.id).payload == payload
    start = 10 * 1024 * 1024 + 12345
    assert vault.get_range(meta.id, start, start + 100_000) == payload[start : start + 100_000]


def test_threads_put_and_read_back(vault: medvault.Vault):
    results: dict[int, list[tuple[str, bytes]]] = {}
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            mine = []
            for i in range(50):
                payload = f"thread {n} record {i}".encode()
                mine.append((vault.put(payload, scope=f"patient-{n}", kind="note").id, payload))
            results[n] = mine
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(len(r) for r in results.values()) == 400
    for n, written in results.items():
        assert len(vault.list_scope(f"patient-{n}")) == 50
        for record_id, payload in written:
            assert vault.get(record_id).payload == payload


def test_put_releases_the_gil(vault: medvault.Vault):
    payload = bytes(64 * 1024 * 1024)
    assert counter_advances_during(lambda: vault.put(payload, scope="p", kind="scan"))


def test_passphrase_may_be_str_or_bytes(tmp_path: Path):
    create_vault(tmp_path, passphrase=b"bytes passphrase").close()
    medvault.Vault.open(
        tmp_path / "store", passphrase="bytes passphrase", index=tmp_path / "index"
    ).close()


def test_rebuild_and_gc(vault: medvault.Vault):
    written = [vault.put(b"x" * n, scope="patient-9", kind="note") for n in (10, 70_000)]
    listed = sorted(meta.id for meta in vault.list_scope("patient-9"))
    assert vault.rebuild() >= len(written)
    assert sorted(meta.id for meta in vault.list_scope("patient-9")) == listed
    assert vault.rebuild(from_checkpoint=True) >= 1
    assert vault.get(written[1].id).payload == b"x" * 70_000
    assert repr(vault.gc()) == "GcReport(objects_removed=0, keys_removed=0, checkpoints_removed=0)"
    # The deleted record's payload object is referred to by nothing now.
    vault.delete(written[1].id)
    report = vault.gc(min_age_seconds=0)
    assert (report.objects_removed, report.keys_removed, report.checkpoints_removed) == (1, 0, 0)
