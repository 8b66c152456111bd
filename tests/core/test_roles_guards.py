"""Tests written against surviving mutants of kiosk/roles.py's checks (scripts/mutation): the
exact shape of a stored PIN hash (no sign, space or over-long field; the salt and digest
lengths at their edges; what ``hash_pin`` hands out), a lock file that is JSON but not a lock
file, a try counted before the power went, a technician clearing a broken lock file."""

from __future__ import annotations

import base64
import json
import time

import pytest

from kiosk import roles
from kiosk.roles import PinGate, PinLockStore, PinResult, hash_pin, parse_pin_hash, verify_pin
from tests.core.test_pin_gate import PIN, WRONG, Clock, gate, stored  # noqa: F401 (stored: a fixture)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def stored_fields(n="16384", r="8", p="1", salt=bytes(16), digest=bytes(32)) -> str:
    return f"scrypt${n}${r}${p}${b64(salt)}${b64(digest)}"


# -- the stored hash ------------------------------------------------------------------------------

@pytest.mark.parametrize("fields", [
    {"n": "+16384"}, {"n": " 16384"}, {"n": "16384 "}, {"n": "16_384"},
    {"r": "+8"}, {"r": " 8"}, {"p": "+1"}, {"p": "1\n"},
])
def test_a_number_with_a_sign_space_or_underscore_is_refused(fields):
    """int() would take each of these; the format is digits only, in all three fields."""
    with pytest.raises(ValueError, match="not whole numbers"):
        parse_pin_hash(stored_fields(**fields))


def test_a_number_field_is_at_most_ten_characters():
    assert parse_pin_hash(stored_fields(n="0000016384", r="0000000008", p="0000000001")).n == 16384
    for fields in ({"n": "00000016384"}, {"r": "00000000008"}, {"p": "00000000001"}):
        with pytest.raises(ValueError, match="not whole numbers"):
            parse_pin_hash(stored_fields(**fields))


@pytest.mark.parametrize("salt, digest, ok", [
    (bytes(15), bytes(32), False), (bytes(16), bytes(32), True),
    (bytes(16), bytes(31), False), (bytes(16), bytes(64), True), (bytes(16), bytes(65), False),
])
def test_salt_and_digest_lengths_at_their_edges(salt, digest, ok):
    text = stored_fields(salt=salt, digest=digest)
    if ok:
        parsed = parse_pin_hash(text)
        assert (parsed.salt, parsed.digest) == (salt, digest)
    else:
        with pytest.raises(ValueError, match="bytes"):
            parse_pin_hash(text)


def test_a_longest_digest_verifies_the_right_pin_only():
    """A 64-byte digest (the most allowed) is compared whole."""
    salt = bytes(range(16))
    digest = roles.hashlib.scrypt(PIN.encode(), salt=salt, n=2**14, r=8, p=1, dklen=64, maxmem=64 * 2**20)
    text = stored_fields(salt=salt, digest=digest)
    assert verify_pin(PIN, text) and not verify_pin(WRONG, text)
    assert not verify_pin(PIN, stored_fields(salt=salt, digest=digest[:63] + bytes([digest[63] ^ 1])))


def test_hash_pin_hands_out_the_documented_format(stored):  # noqa: F811
    parsed = parse_pin_hash(stored)
    assert (parsed.n, parsed.r, parsed.p) == (roles.SCRYPT_N, roles.SCRYPT_R, roles.SCRYPT_P)
    assert len(parsed.salt) == 16 and len(parsed.digest) == 32
    assert verify_pin(PIN, stored) and not verify_pin(WRONG, stored)
    assert parse_pin_hash(hash_pin(PIN)).salt != parsed.salt  # a fresh random salt each time


# -- the lock file --------------------------------------------------------------------------------

@pytest.mark.parametrize("content", [b"[]", b'"staff"', b"42", b"null", b'{"staff": "unlocked"}',
                                     b'{"staff": []}'])
def test_a_lock_file_that_is_json_but_not_a_lock_file_keeps_the_gate_shut(stored, tmp_path, content):  # noqa: F811
    g = gate(stored, Clock(time.time()), tmp_path)
    (tmp_path / "pin-lock.json").write_bytes(content)
    assert g.check(PIN) is PinResult.LOCKED


@pytest.mark.parametrize("content", [b"{not json", b'{"staff": {"failures": "many"}}', b"[]"])
def test_an_unreadable_lock_reads_as_a_fresh_first_lock(stored, tmp_path, content):  # noqa: F811
    """Locked for one lock's length (the first of a streak), no try spent."""
    g = gate(stored, Clock(time.time()), tmp_path, attempts=3)
    (tmp_path / "pin-lock.json").write_bytes(content)
    assert g.locked_for() == 300 and g.attempts_left() == 3 and g.streak == 1


@pytest.mark.parametrize("content", [b"{not json", b"[]", b'{"staff": "unlocked"}'])
def test_a_technician_reset_clears_a_broken_lock_file(stored, tmp_path, content):  # noqa: F811
    g = gate(stored, Clock(time.time()), tmp_path)
    path = tmp_path / "pin-lock.json"
    path.write_bytes(content)
    assert g.check(PIN) is PinResult.LOCKED
    g.reset()
    assert json.loads(path.read_text())["staff"] == {"failures": 0, "locked_until": 0.0, "streak": 0}
    assert g.check(PIN) is PinResult.OK


def test_tries_counted_before_the_power_went_are_kept(stored, tmp_path, monkeypatch):  # noqa: F811
    """The power goes during each of the last two checks: after the restart no try is left,
    and the next wrong PIN locks."""
    clock = Clock()
    g = gate(stored, clock, tmp_path, attempts=2)

    def power_cut(pin, stored):
        raise KeyboardInterrupt("power cut")

    with monkeypatch.context() as m:
        m.setattr(roles, "verify_pin", power_cut)
        for _ in range(2):
            with pytest.raises(KeyboardInterrupt):
                g.check(PIN)
    again = gate(stored, clock, tmp_path, attempts=2)
    assert again.attempts_left() == 0
    assert again.check(WRONG) is PinResult.LOCKED and again.locked_for() == 300


def test_the_lock_file_folder_is_made_when_missing(stored, tmp_path):  # noqa: F811
    store = PinLockStore(tmp_path / "data" / "state" / "pin-lock.json")
    g = PinGate(stored, max_attempts=2, clock=Clock())
    g.remember(store, "technician")
    assert g.check(WRONG) is PinResult.WRONG
    assert store.load("technician")["failures"] == 1


@pytest.mark.parametrize("n, r, p", [
    (roles.SCRYPT_MAX_MEMORY // (128 * 8), 8, 1), (2**14, 8, roles.SCRYPT_MAX_P),
    (2**14, roles.SCRYPT_MAX_MEMORY // (128 * 2**14), roles.SCRYPT_MAX_P),
])
def test_scrypt_is_given_the_memory_its_parameters_need(monkeypatch, n, r, p):
    """hashlib refuses (ValueError) when maxmem is below OpenSSL's 128·r·(N+p+2): every hash
    the check allows, up to the memory ceiling, gets enough (and not more than 2 MiB of room).
    A stand-in for scrypt applies that rule without spending the memory."""
    calls = []

    def scrypt(password, *, salt, n, r, p, dklen, maxmem):
        calls.append(maxmem)
        if 128 * r * (n + p + 2) > maxmem:
            raise ValueError("Invalid parameter combination for n, r, p, maxmem.")
        return bytes(dklen)

    text = f"scrypt${n}${r}${p}${b64(bytes(16))}${b64(bytes(32))}"
    monkeypatch.setattr(roles.hashlib, "scrypt", scrypt)
    assert verify_pin(PIN, text) is True
    assert calls[0] <= 128 * r * (n + p + 2) + 2 * 2**20
    stored_text = hash_pin(PIN, n=n, r=r, p=p)
    assert parse_pin_hash(stored_text).n == n and calls[1] == calls[0]


def test_an_unreadable_lock_file_locks_every_role_once_and_the_lock_ends(stored, tmp_path):  # noqa: F811
    """The lock an unreadable file sets is written down for every role: reading it again does
    not renew it (staff and the technician would be kept out for good), and it ends."""
    from kiosk.roles import MAX_LOCKOUT_SECONDS, PinLockStore

    path = tmp_path / "pin-lock.json"
    path.write_bytes(b"{not json")
    store = PinLockStore(path)
    first = store.load("staff")["locked_until"]
    assert json.loads(path.read_text())  # replaced by a lock file that reads
    technician = store.load("technician")  # the other role is locked by the same lock
    assert technician["locked_until"] == first
    time.sleep(0.01)
    assert store.load("staff")["locked_until"] == first  # not renewed by reading
    clock = Clock(first + 1)  # past the lock: the gate opens for the right PIN
    g = gate(stored, clock, tmp_path)
    assert g.locked_for() == 0 and g.check(PIN) is PinResult.OK
    assert first - time.time() <= MAX_LOCKOUT_SECONDS


# -- third round: the lock file's every-role lock, its writes -----------------------------------------

def test_a_broken_lock_file_that_cannot_be_mended_reads_as_a_fresh_first_lock(stored, tmp_path):  # noqa: F811
    """The file can be neither read nor rewritten: every read answers the fallback lock itself,
    no try spent and the first of a streak (load 28: failures 1; 31, 32: no streak)."""
    g = gate(stored, Clock(time.time()), tmp_path, attempts=3)
    (tmp_path / "pin-lock.json").write_bytes(b"{not json")

    def cannot_write(data):
        raise OSError(30, "Read-only file system")

    g.store._replace = cannot_write
    assert g.locked_for() == 300 and g.attempts_left() == 3 and g.streak == 1
    assert g.check(PIN) is PinResult.LOCKED


def test_a_roles_own_longer_lock_outlasts_the_every_role_lock(tmp_path):
    """A role locked past the every-role lock keeps its own lock's end and streak
    (load 48-56, 58, 59, 62-67, 70, 71: the every-role lock's end or a fresh streak put in
    their place)."""
    now = time.time()
    path = tmp_path / "pin-lock.json"
    own = {"failures": 2, "locked_until": now + 7200, "streak": 3}
    path.write_text(json.dumps({"staff": own, roles.ALL_LOCKED: now + 3600}))
    assert PinLockStore(path).load("staff") == own
    shorter = {"failures": 1, "locked_until": now + 60, "streak": 2}
    path.write_text(json.dumps({"staff": shorter, roles.ALL_LOCKED: now + 3600}))
    assert PinLockStore(path).load("staff") == {**shorter, "locked_until": now + 3600}
    # a role never locked before: the every-role lock is the first of its streak (load 68: 2)
    for fresh in ({"failures": 1, "locked_until": 0.0, "streak": 0}, {"failures": 1}):
        path.write_text(json.dumps({"staff": fresh, roles.ALL_LOCKED: now + 3600}))
        assert PinLockStore(path).load("staff") == {"failures": 1, "locked_until": now + 3600, "streak": 1}


def test_an_every_role_lock_ending_this_instant_is_over(tmp_path, monkeypatch):
    """load 44: a lock until T is over at T (as ``locked_for`` counts it): the role's own
    state is read as it is, its streak not raised."""
    now = 1_790_000_000.0
    monkeypatch.setattr(roles.time, "time", lambda: now)
    path = tmp_path / "pin-lock.json"
    state = {"failures": 1, "locked_until": 0.0, "streak": 0}
    path.write_text(json.dumps({"staff": state, roles.ALL_LOCKED: now}))
    assert PinLockStore(path).load("staff") == state


def test_saving_one_role_keeps_the_every_role_lock(tmp_path):
    """save 1: only a technician's reset (clear_all) ends the lock an unreadable file set."""
    path = tmp_path / "pin-lock.json"
    until = time.time() + 3600
    path.write_text(json.dumps({roles.ALL_LOCKED: until}))
    store = PinLockStore(path)
    store.save("staff", {"failures": 1, "locked_until": 0.0, "streak": 0})
    assert store.load("technician")["locked_until"] == until
    store.save("technician", {"failures": 0, "locked_until": 0.0, "streak": 0}, clear_all=True)
    assert roles.ALL_LOCKED not in json.loads(path.read_text())


@pytest.mark.parametrize("content", [b"[]", b"42", b'"x"'])
def test_saving_over_json_that_is_not_a_lock_file(tmp_path, content):
    """save 8: JSON that is not an object is written over, not indexed."""
    path = tmp_path / "pin-lock.json"
    path.write_bytes(content)
    state = {"failures": 1, "locked_until": 0.0, "streak": 0}
    PinLockStore(path).save("staff", state)
    assert json.loads(path.read_text()) == {"staff": state}


def test_the_lock_file_is_private_from_its_first_byte(tmp_path, monkeypatch):
    """_replace 15 and 18: the file is made 0600, not widened by the umask until a chmod."""
    import os

    modes = []
    real = os.write

    def write(fd, data):
        modes.append(os.fstat(fd).st_mode & 0o777)
        return real(fd, data)

    old = os.umask(0o022)
    try:
        monkeypatch.setattr(roles.os, "write", write)
        PinLockStore(tmp_path / "pin-lock.json").save("staff", {"failures": 1})
    finally:
        os.umask(old)
        monkeypatch.undo()
    assert modes == [0o600] and (tmp_path / "pin-lock.json").stat().st_mode & 0o777 == 0o600


def test_a_role_state_that_does_not_read_under_the_every_role_lock(tmp_path):
    """load 79-87: a role's entry with a lock end or streak that is not a number reads, under
    the every-role lock, as that lock's first lock with no try spent."""
    now = time.time()
    path = tmp_path / "pin-lock.json"
    for broken in ({"failures": 2, "locked_until": "soon", "streak": 3},
                   {"failures": 2, "locked_until": now + 7200, "streak": [3]}):
        path.write_text(json.dumps({"staff": broken, roles.ALL_LOCKED: now + 3600}))
        assert PinLockStore(path).load("staff") == {"failures": 0, "locked_until": now + 3600, "streak": 1}


def test_a_wrong_try_never_lifts_the_every_role_lock(stored, tmp_path):  # noqa: F811
    """PinGate._save 1: a try counted by one gate (whose clock is past the lock) keeps the lock
    set for every role; only a reset (right PIN, technician) ends it."""
    until = time.time() + 3600
    path = tmp_path / "pin-lock.json"
    path.write_text(json.dumps({roles.ALL_LOCKED: until}))
    g = gate(stored, Clock(until + 1), tmp_path, attempts=3)
    assert g.check(WRONG) is PinResult.WRONG
    assert PinLockStore(path).load("technician")["locked_until"] == until
    assert g.check(PIN) is PinResult.OK
    assert roles.ALL_LOCKED not in json.loads(path.read_text())


@pytest.mark.parametrize("text, message", [
    ("x", "not a hash made by 'kiosk config hash-pin' (scrypt$N$r$p$salt$hash)"),
    (stored_fields(n="2e14"), "its N, r and p are not whole numbers"),
    (stored_fields(n="8192"), "N=8192 is too weak or not a power of two (at least 2^14 = 16384)"),
    (stored_fields(r="4"), "r=4, p=1: expected r of at least 8 and p from 1 to 16"),
    (stored_fields(n=str(2**21)), "N=2097152, r=8 need 2048 MiB: more than the 256 MiB a check may use"),
    (stored_fields(salt=bytes(8)), "its salt has 8 bytes (at least 16)"),
    (stored_fields(digest=bytes(65)), "its hash has 65 bytes (32 to 64)"),
    ("scrypt$16384$8$1$!!!!$AAAA", "its salt is not base64"),
    (stored_fields().rsplit("$", 1)[0] + "$!!!!", "its hash is not base64"),
])
def test_config_check_says_what_is_wrong_with_a_pin_hash(text, message):
    """The reason ``kiosk config check`` shows a technician, word for word (parse_pin_hash 13-16,
    25, 26, 37, 44, 49-60, 63, 67, 68, 70 and the salt and digest messages; _b64 6): a wrong figure (the MiB
    needed) would send them after the wrong parameter."""
    with pytest.raises(ValueError) as refused:
        parse_pin_hash(text)
    assert str(refused.value) == message
    with pytest.raises(ValueError) as refused:
        hash_pin("12")
    assert str(refused.value) == "a PIN is 4 to 12 digits"  # hash_pin 9-12
