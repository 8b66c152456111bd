import subprocess

import pytest

from kiosk import config
from tests.conftest import ROOT, kiosk_cmd


def test_shipped_kiosk_ini_is_valid():
    settings = config.load(ROOT / "kiosk.ini")
    assert settings.kiosk.screen_size == (1080, 1920)
    assert settings.gateway.url == "embedded"
    assert settings.kiosk.idle_reset_seconds >= 20
    assert settings.devices.card_reader == "simulated"


def test_every_schema_key_is_documented_in_the_shipped_file():
    text = (ROOT / "kiosk.ini").read_text(encoding="utf-8")
    lines = text.splitlines()
    for section, key, _spec in config.iter_keys():
        assert f"[{section}]" in text
        idx = next((i for i, line in enumerate(lines) if line.split("=")[0].strip() == key), None)
        assert idx is not None, f"{section}.{key} missing from kiosk.ini"
        # a comment sits above the key (possibly above a group of related keys)
        above = lines[max(0, idx - 3):idx]
        assert any(line.startswith("#") for line in above), f"{section}.{key} has no comment"


def test_check_command_exits_0_on_the_shipped_file():
    out = subprocess.run(kiosk_cmd("config", "check"), capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert "OK" in out.stdout


def test_check_names_unknown_key_wrong_type_and_out_of_range_timeout(tmp_path):
    bad = tmp_path / "bad.ini"
    bad.write_text(
        "[kiosk]\nkiosk_id = K1\ncolour = blue\nfullscreen = sometimes\n"
        "[gateway]\nread_timeout = 9000\n",
        encoding="utf-8",
    )
    out = subprocess.run(kiosk_cmd("config", "check", str(bad)), capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 2
    err = out.stderr
    assert "kiosk.colour: expected one of the keys" in err and "found an unknown key" in err
    assert "kiosk.fullscreen: expected yes or no, found 'sometimes'" in err
    assert "gateway.read_timeout: expected a number from 0.5 to 120, found '9000'" in err
    assert "3 problem(s)" in err


def test_kiosk_refuses_to_start_on_a_bad_file(tmp_path):
    bad = tmp_path / "bad.ini"
    bad.write_text("[kiosk]\nkiosk_id = K1\n[mystery]\nx = 1\n", encoding="utf-8")
    out = subprocess.run(kiosk_cmd("--config", str(bad), "run", "--windowed"), capture_output=True, text=True,
                         cwd=ROOT, timeout=60)
    assert out.returncode == 2
    assert "mystery: expected one of the sections" in out.stderr


def test_env_variable_selects_the_file(tmp_path):
    bad = tmp_path / "env.ini"
    bad.write_text("[kiosk]\n", encoding="utf-8")
    out = subprocess.run(kiosk_cmd("config", "check"), capture_output=True, text=True, cwd=ROOT,
                         env={**__import__("os").environ, "KIOSK_CONFIG": str(bad)})
    assert out.returncode == 2
    assert "kiosk.kiosk_id: expected a value, found none" in out.stderr


@pytest.mark.parametrize(
    "text, expected",
    [
        ("[kiosk]\nkiosk_id = K\nidle_reset_seconds = 5\n",
         "kiosk.idle_reset_seconds: expected a whole number from 20 to 300"),
        ("[kiosk]\nkiosk_id = K\nscreen_size = big\n", "kiosk.screen_size: expected WIDTHxHEIGHT"),
        ("[kiosk]\nkiosk_id = K\n[staff]\npin_hash = 123456\n", "staff.pin_hash: expected a PIN hash"),
        ("[kiosk]\nkiosk_id = K\n[gateway]\nurl = ftp://x\n", "gateway.url: expected 'embedded' or an http(s) URL"),
        ("[kiosk]\nkiosk_id = bad id!\n", "kiosk.kiosk_id: expected text matching"),
        ("[kiosk]\nkiosk_id = K\n[devices]\nprinter = laser\n", "devices.printer: expected one of usb, serial"),
        ("kiosk_id = K\n", "not an INI file we can read"),
        ("[kiosk]\nkiosk_id = K\nkiosk_id = L\n", "not an INI file we can read"),
    ],
)
def test_problems_are_named(text, expected):
    with pytest.raises(config.ConfigError) as info:
        config.from_text(text)
    assert any(expected in p for p in info.value.problems), info.value.problems


def test_unreadable_files(tmp_path):
    missing = tmp_path / "nope.ini"
    with pytest.raises(config.ConfigError, match="does not exist"):
        config.load(missing)
    binary = tmp_path / "bin.ini"
    binary.write_bytes(b"[kiosk]\nkiosk_id = \xff\xfe\n")
    with pytest.raises(config.ConfigError, match="expected UTF-8"):
        config.load(binary)


def test_hash_pin_command_makes_a_hash_the_schema_accepts():
    out = subprocess.run(kiosk_cmd("config", "hash-pin", "--pin", "482913"), capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0
    digest = out.stdout.strip()
    assert "482913" not in digest
    settings = config.from_text(f"[kiosk]\nkiosk_id = K\n[staff]\npin_hash = {digest}\n")
    from kiosk.roles import verify_pin

    assert verify_pin("482913", settings.staff.pin_hash)
    assert not verify_pin("482914", settings.staff.pin_hash)


# -- PIN hashes: parameters checked, malformed ones never verify --------------------------------

MALFORMED_HASHES = [
    "scrypt$1000$8$1$AAAA$AAAA",  # the finding: N not a power of two, 3-byte salt and hash
    "scrypt$2$8$1$" + "A" * 24 + "$" + "A" * 44,  # N=2: falls in a fraction of a second
    "scrypt$16384$1$1$" + "A" * 24 + "$" + "A" * 44,  # r too small
    "scrypt$1048576$8$1$" + "A" * 24 + "$" + "A" * 44,  # 1 GiB: can never verify on the kiosk
    "scrypt$16384$8$1$" + "A" * 24 + "$AAAA",  # a 3-byte digest
    "scrypt$16384$8$1$AAAA$" + "A" * 44,  # a 3-byte salt
    "scrypt$16384$8$1$" + "A" * 24 + "$" + "*" * 44,  # not base64
    "bcrypt$16384$8$1$" + "A" * 24 + "$" + "A" * 44,
    "scrypt$16384$8$1$" + "A" * 24,
    "",
]


@pytest.mark.parametrize("stored", MALFORMED_HASHES)
def test_a_malformed_or_weak_pin_hash_never_verifies(stored):
    from kiosk.roles import verify_pin

    for pin in ("0000", "246810", ""):
        assert verify_pin(pin, stored) is False


@pytest.mark.parametrize("stored", MALFORMED_HASHES[:6])
def test_config_check_refuses_weak_or_impossible_pin_hashes(tmp_path, stored):
    bad = tmp_path / "k.ini"
    bad.write_text(f"[kiosk]\nkiosk_id = K\n[technician]\npin_hash = {stored}\n", encoding="utf-8")
    out = subprocess.run(kiosk_cmd("config", "check", str(bad)), capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 2 and "technician.pin_hash:" in out.stderr, out.stderr


def test_the_whole_digest_is_compared():
    """A hash whose digest differs from the right one only in its last byte is a wrong PIN."""
    import base64

    from kiosk.roles import hash_pin, verify_pin

    good = hash_pin("482913")
    scheme, n, r, p, salt, digest = good.split("$")
    raw = base64.b64decode(digest)
    for i in (len(raw) - 1, len(raw) // 2):
        flipped = raw[:i] + bytes([raw[i] ^ 1]) + raw[i + 1:]
        assert verify_pin("482913", "$".join([scheme, n, r, p, salt, base64.b64encode(flipped).decode()])) is False
    assert verify_pin("482913", good) is True


def test_a_strong_hash_within_the_ceiling_always_verifies():
    """N=2^15, r=8 needs 32 MiB, hashlib's default limit: maxmem is set from the parameters."""
    from kiosk.roles import hash_pin, verify_pin

    strong = hash_pin("482913", n=2**15)
    config.from_text(f"[kiosk]\nkiosk_id = K\n[staff]\npin_hash = {strong}\n")
    assert verify_pin("482913", strong) is True and verify_pin("482914", strong) is False


# -- production mode: demo settings never reach a real kiosk ------------------------------------


def test_production_check_refuses_the_shipped_demo_kiosk_ini():
    out = subprocess.run(kiosk_cmd("config", "check", "--production", str(ROOT / "kiosk.ini")), capture_output=True,
                         text=True, cwd=ROOT, timeout=60)
    assert out.returncode == 2
    for wanted in ("staff.pin_hash: expected a hash of this kiosk's own PIN, found the published demo PIN",
                   "technician.pin_hash: expected", "gateway.url: expected the https URL of the real gateway",
                   "devices.card_reader: expected a real device", "devices.qr_source:", "devices.printer:",
                   "devices.card_trust_store: expected the CSCA certificates"):
        assert wanted in out.stderr, (wanted, out.stderr)


def production_settings(tmp_path, **changes):
    """Settings that pass the production check; ``changes`` break one thing at a time."""
    from kiosk.roles import hash_pin

    (tmp_path / "csca").mkdir(exist_ok=True)
    (tmp_path / "csca" / "csca.pem").write_text("-----BEGIN CERTIFICATE-----\n")
    key = tmp_path / "audit.key"
    key.write_bytes(b"k" * 32)
    key.chmod(0o640)
    base = config.defaults().replace(
        kiosk={"data_dir": str(tmp_path / "data")},
        devices={"card_reader": "pcsc", "qr_source": "camera", "printer": "usb",
                 "card_trust_store": str(tmp_path / "csca")},
        gateway={"url": "https://gw.example/api", "token_file": str(tmp_path / "token")},
        staff={"pin_hash": hash_pin("482913")}, technician={"pin_hash": hash_pin("917364")},
        audit={"key_file": str(key)})
    return base.replace(**changes) if changes else base


@pytest.mark.parametrize("changes, expected", [
    ({"staff": {"pin_hash": "scrypt$16384$8$1$Q4i0U4GSmbaMduhbBerlBg==$TgS3aGPvIV7AJli4sjvJMIupU9bOSWAqkiPF5mhmm48="}},
     "staff.pin_hash: expected a hash of this kiosk's own PIN, found the published demo PIN"),
    ({"technician": {"pin_hash": "DEMO-REHASHED"}}, "technician.pin_hash: expected a hash of this kiosk's own PIN"),
    ({"gateway": {"url": "embedded"}}, "gateway.url: expected the https URL"),
    ({"devices": {"printer": "simulated"}}, "devices.printer: expected a real device"),
    ({"gateway": {"url": "http://gw.example/api"}}, "gateway.url: expected https:// when a token"),
    ({"gateway": {"verify_tls": False}}, "gateway.verify_tls: expected yes"),
    ({"devices": {"card_trust_store": ""}}, "devices.card_trust_store: expected the CSCA certificates"),
    ({"devices": {"card_trust_store": "EMPTY"}}, "devices.card_trust_store: expected the CSCA certificates"),
    ({"audit": {"key_file": "MISSING"}}, "audit.key_file:"),
])
def test_production_check_names_each_demo_setting(tmp_path, changes, expected):
    from kiosk.roles import hash_pin

    assert config.production_problems(production_settings(tmp_path)) == []
    if changes.get("technician", {}).get("pin_hash") == "DEMO-REHASHED":
        changes = {"technician": {"pin_hash": hash_pin("135790")}}  # the demo PIN with a fresh salt
    if changes.get("devices", {}).get("card_trust_store") == "EMPTY":
        (tmp_path / "empty").mkdir()
        changes = {"devices": {"card_trust_store": str(tmp_path / "empty")}}
    if changes.get("audit", {}).get("key_file") == "MISSING":
        changes = {"audit": {"key_file": str(tmp_path / "no.key")}}
    problems = config.production_problems(production_settings(tmp_path, **changes))
    assert any(expected in p for p in problems), problems


def test_a_real_kiosk_refuses_to_start_on_demo_settings(tmp_path):
    """`kiosk run` with a gateway that is not the embedded one is production: demo PINs and
    simulated devices stop it before any window opens."""
    text = (ROOT / "kiosk.ini").read_text(encoding="utf-8")
    text = text.replace("url = embedded", "url = https://gw.example/api")
    text = text.replace("data_dir = ~/.local/share/kiosk", f"data_dir = {tmp_path / 'data'}")
    ini = tmp_path / "kiosk.ini"
    ini.write_text(text, encoding="utf-8")
    out = subprocess.run(kiosk_cmd("--config", str(ini), "run", "--windowed"), capture_output=True, text=True,
                         cwd=ROOT, timeout=60)
    assert out.returncode == 2, out.stderr
    assert "will not start" in out.stderr and "found the published demo PIN" in out.stderr
    assert "devices.card_reader: expected a real device" in out.stderr
    assert not (tmp_path / "data" / "logs").exists()  # refused before anything started
