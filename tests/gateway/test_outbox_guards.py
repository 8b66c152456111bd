"""Tests written against surviving mutants of the module's security checks (scripts/mutation)."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest

from kiosk.gateway.outbox import keys as K

# -- the outbox key (kiosk/gateway/outbox/keys.py) ---------------------------------------------


def test_a_systemd_credentials_folder_that_cannot_be_resolved_does_not_vouch_for_a_loose_key(tmp_path,
                                                                                                monkeypatch):
    """``$CREDENTIALS_DIRECTORY`` lifts the mode check only for a key proven to live there: when
    the paths cannot be resolved, a group-readable key is refused, not waved through."""
    creds = tmp_path / "credentials"
    creds.mkdir()
    key = creds / "outbox.key"
    key.write_bytes(os.urandom(32))
    key.chmod(0o440)
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(creds))
    assert K.read_key(key) == key.read_bytes()  # systemd's credential: its mode is not ours to judge

    def unresolvable(self, strict=False):
        raise OSError("stale NFS handle")

    monkeypatch.setattr(Path, "resolve", unresolvable)
    with pytest.raises(K.OutboxKeyError, match="readable by group or others"):
        K.read_key(key)


def test_create_key_over_an_existing_key_returns_that_key_and_never_replaces_it(tmp_path):
    """The race another process won (O_EXCL): its key is used, the file is not overwritten."""
    path = tmp_path / "outbox.key"
    first = K.create_key(path)
    assert K.create_key(path) == first == path.read_bytes()


def test_create_key_over_a_bad_existing_file_refuses_it(tmp_path):
    path = tmp_path / "outbox.key"
    path.write_bytes(b"short")
    path.chmod(0o600)
    with pytest.raises(K.OutboxKeyError, match="5 bytes"):
        K.create_key(path)
    assert path.read_bytes() == b"short"


def test_a_key_file_that_cannot_be_stat_ed_is_a_key_error_not_a_crash(tmp_path):
    """A path through a regular file (NotADirectoryError): the key cannot be read, said as such."""
    (tmp_path / "plain").write_text("x")
    path = tmp_path / "plain" / "outbox.key"
    assert "cannot be read (NotADirectoryError)" in K.key_problem(path)
    with pytest.raises(K.OutboxKeyError, match="cannot be read"):
        K.read_key(path)


def test_a_key_that_is_a_folder_is_refused(tmp_path):
    path = tmp_path / "outbox.key"
    path.mkdir(mode=0o700)
    assert "not a regular file" in K.key_problem(path)
    with pytest.raises(K.OutboxKeyError, match="not a regular file"):
        K.read_key(path)


def test_a_missing_key_has_no_problem_and_read_key_says_file_not_found(tmp_path):
    assert K.key_problem(tmp_path / "none.key") is None
    with pytest.raises(FileNotFoundError):
        K.read_key(tmp_path / "none.key")


@pytest.mark.parametrize("mode", [0o600, 0o400, 0o700])
def test_a_key_private_to_its_owner_is_accepted_whatever_its_owner_bits(tmp_path, mode):
    path = tmp_path / "outbox.key"
    path.write_bytes(os.urandom(32))
    path.chmod(mode)
    assert K.key_problem(path) is None and K.read_key(path) == path.read_bytes()


@pytest.mark.parametrize("mode", [0o620, 0o610, 0o602, 0o601])
def test_any_group_or_other_bit_on_the_key_is_refused(tmp_path, mode):
    path = tmp_path / "outbox.key"
    path.write_bytes(os.urandom(32))
    path.chmod(mode)
    with pytest.raises(K.OutboxKeyError, match="readable by group or others"):
        K.read_key(path)


def test_an_outbox_database_without_an_items_table_holds_nothing_waiting(tmp_path):
    """A database file that exists (made 0600 before SQLite wrote its schema) but has no items
    table: nothing waits, so a missing key may be made, and nothing is written to it."""
    from kiosk import config

    data = tmp_path / "data"
    data.mkdir()
    db = data / K.DB_NAME
    sqlite3.connect(db).close()
    assert K.pending_encrypted(db) == 0
    settings = config.defaults(kiosk={"data_dir": str(data)})
    assert len(K.open_key(settings)) == 32
    assert (data / K.KEY_NAME).read_bytes() == K.open_key(settings)


def test_a_folder_made_for_the_outbox_is_private_from_its_first_instant(tmp_path, monkeypatch):
    """Even with umask 0 no folder the outbox makes is ever readable by others, not even between
    its mkdir and the chmod that follows."""
    seen = {}
    real_chmod = os.chmod

    def spy(path, mode, *a, **kw):
        seen[str(path)] = stat.S_IMODE(os.stat(path).st_mode)
        return real_chmod(path, mode, *a, **kw)

    old = os.umask(0)
    try:
        with monkeypatch.context() as m:
            m.setattr(os, "chmod", spy)
            K.make_private_dir(tmp_path / "a" / "b")
    finally:
        os.umask(old)
    assert seen == {str(tmp_path / "a"): 0o700, str(tmp_path / "a" / "b"): 0o700}


def test_a_folder_another_process_made_meanwhile_does_not_stop_the_rest(tmp_path, monkeypatch):
    real_mkdir = os.mkdir
    raced = tmp_path / "a"

    def racing_mkdir(path, mode=0o777, *a, **kw):
        if Path(path) == raced and not raced.exists():
            real_mkdir(path, 0o755)  # the other process wins the first folder
            raise FileExistsError(path)
        return real_mkdir(path, mode, *a, **kw)

    with monkeypatch.context() as m:
        m.setattr(os, "mkdir", racing_mkdir)
        K.make_private_dir(tmp_path / "a" / "b" / "c")
    assert (tmp_path / "a" / "b" / "c").is_dir()
    assert stat.S_IMODE((tmp_path / "a" / "b").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "a" / "b" / "c").stat().st_mode) == 0o700


def test_a_private_file_is_created_0600_not_made_private_afterwards(tmp_path, monkeypatch):
    modes = []
    real_close = os.close

    def spy_close(fd):
        modes.append(stat.S_IMODE(os.fstat(fd).st_mode))
        return real_close(fd)

    old = os.umask(0)
    try:
        with monkeypatch.context() as m:
            m.setattr(os, "close", spy_close)
            K.private_file(tmp_path / "outbox.sqlite3")
    finally:
        os.umask(old)
    assert modes == [0o600]
    assert stat.S_IMODE((tmp_path / "outbox.sqlite3").stat().st_mode) == 0o600


def test_an_existing_file_others_cannot_read_keeps_its_mode(tmp_path):
    path = tmp_path / "outbox.sqlite3"
    path.write_bytes(b"")
    path.chmod(0o700)
    K.private_file(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o700
    path.chmod(0o640)
    K.private_file(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
