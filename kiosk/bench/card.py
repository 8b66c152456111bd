"""``kiosk bench card``: a full identity read (CardAccess, COM, SOD, DG1, DG2, DG13, DG14, PA)
over the in-process virtual card and over pcscd+vpcd, PACE vs BAC, short vs extended reads.

Air time is what the same bytes would take over ISO/IEC 14443 at 106 and 424 kbit/s (9 bits
per byte, 3 bytes of PCB+CRC per frame of at most 256 bytes; the chip's own processing time is
not included).  Host CPU is this process's CPU time minus the in-process card's time.
Aim: host overhead < 10 % of the 424 kbit/s air time.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from datetime import date

DESCRIPTION = "chip ID card read: in-process vs pcscd+vpcd, PACE vs BAC, short vs extended"

ID = "001189012345"
DOB = date(1989, 5, 17)
FRAME = 256


def add_arguments(p) -> None:
    p.add_argument("--repeat", type=int, default=5, help="reads per configuration (median reported)")
    p.add_argument("--person", help="person JSON (default: the sample person)")
    p.add_argument("--no-pcsc", action="store_true", help="skip the pcscd+vpcd rows")
    p.add_argument("--port", type=int, default=0, help="vpcd port (default: the running pcscd's)")


def _frames(n: int) -> int:
    return max(1, -(-n // (FRAME - 3)))


def air_seconds(apdu_sizes: list[tuple[int, int]], kbps: int) -> float:
    bits = 0
    for out_len, in_len in apdu_sizes:
        for n in (out_len, in_len):
            bits += 9 * (n + 3 * _frames(n))
    return bits / (kbps * 1000)


class _Recorder:
    """Wraps a transport to record (command, response) sizes for the air-time estimate."""

    def __init__(self, inner):
        self.inner = inner
        self.sizes: list[tuple[int, int]] = []
        self.name = inner.name
        self.supports_extended = inner.supports_extended

    def connect(self):
        return self.inner.connect()

    def transmit(self, apdu):
        r = self.inner.transmit(apdu)
        self.sizes.append((len(apdu), len(r)))
        return r

    def disconnect(self):
        self.inner.disconnect()

    def reconnect(self, window_s=2.0):
        return self.inner.reconnect(window_s)

    def card_present(self):
        return self.inner.card_present()


def _one(make_transport, method: str, mode: str, trust, in_process: bool):
    from kiosk.devices.cardreader.key import CardKey
    from kiosk.devices.cardreader.reader import ReadOptions, read_identity

    rec = _Recorder(make_transport())
    key = CardKey(ID, dob=DOB)
    t0, c0 = time.perf_counter(), time.process_time()
    ident, rep = read_identity(rec, key, ReadOptions(method=method, read_mode=mode, trust=trust))
    wall = time.perf_counter() - t0
    cpu = time.process_time() - c0
    if in_process:
        cpu -= rep.stats.transport_s  # the virtual card's own work
    pa = ident.pa_status
    ident.wipe()
    return {"apdus": rep.stats.apdus, "bytes": rep.stats.bytes_in + rep.stats.bytes_out, "cpu": cpu,
            "wall": wall, "air106": air_seconds(rec.sizes, 106), "air424": air_seconds(rec.sizes, 424),
            "pa": pa, "method": rep.method, "ext": rep.extended, "dg2": rep.file_sizes.get("DG2", 0)}


def _median(rows: list[dict]) -> dict:
    out = dict(rows[0])
    for k in ("cpu", "wall", "air106", "air424"):
        out[k] = statistics.median(r[k] for r in rows)
    return out


def run(args) -> int:
    import tempfile

    from kiosk.devices.cardreader import pcscd
    from kiosk.devices.cardreader.sod import load_trust_store
    from kiosk.devices.cardreader.transport import InProcessTransport, PcscTransport, VirtualSlot
    from kiosk.devices.cardreader.virtual import VirtualCard, load_person
    from kiosk.devices.cardreader.virtual.pki import default_pki

    person = load_person(args.person)
    trust_dir = tempfile.mkdtemp(prefix="kiosk-bench-csca-")
    default_pki().write_trust_store(trust_dir)
    trust = load_trust_store(trust_dir)
    slot = VirtualSlot()
    slot.place(VirtualCard(person))

    def in_process():
        return InProcessTransport(slot)

    configs = [(m, r) for m in ("pace", "bac") for r in ("extended", "short")]
    results = []
    for method, mode in configs:
        _one(in_process, method, mode, trust, True)  # warm-up
        rows = [_one(in_process, method, mode, trust, True) for _ in range(args.repeat)]
        results.append(("in-process", method, mode, _median(rows)))

    daemon = proc = None
    if not args.no_pcsc:
        try:
            daemon = pcscd.ensure()
        except RuntimeError as exc:
            print(f"(pcscd+vpcd rows skipped: {exc})")
        else:
            pki_dir = tempfile.mkdtemp(prefix="kiosk-bench-vcsca-")
            port = args.port or daemon.port
            cmd = [sys.executable, "-m", "kiosk", "card", "virtual", "--port", str(port), "--trust-out", pki_dir]
            if args.person:
                cmd += ["--person", args.person]
            proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                _wait_card(pcscd.VPCD_READER)
                ptrust = load_trust_store(pki_dir)

                def via_pcsc():
                    return PcscTransport(pcscd.VPCD_READER)

                for method, mode in configs:
                    _one(via_pcsc, method, mode, ptrust, False)
                    rows = [_one(via_pcsc, method, mode, ptrust, False) for _ in range(args.repeat)]
                    results.append(("pcscd+vpcd", method, mode, _median(rows)))
            finally:
                proc.terminate()
                proc.wait(10)
                daemon.stop()

    dg2 = results[0][3]["dg2"]
    print(f"Full identity read, DG2 {dg2 / 1024:.1f} KiB, median of {args.repeat}; air time at 9 bits/byte + "
          "ISO 14443-4 framing, chip processing excluded")
    head = (f"{'transport':<11} {'access':<6} {'reads':<8} {'APDUs':>5} {'bytes':>7} {'host CPU ms':>11} "
            f"{'wall s':>7} {'air@106 s':>9} {'air@424 s':>9} {'host/air424':>11}  PA")
    print(head)
    print("-" * len(head))
    for transport, method, mode, r in results:
        print(f"{transport:<11} {method.upper():<6} {mode:<8} {r['apdus']:>5} {r['bytes']:>7} {r['cpu'] * 1000:>11.1f} "
              f"{r['wall']:>7.3f} {r['air106']:>9.3f} {r['air424']:>9.3f} "
              f"{100 * r['cpu'] / r['air424']:>10.1f}%  {r['pa']}")
    print("Aim: host overhead < 10 % of the 424 kbit/s air time.")
    return 0


def _wait_card(reader: str, timeout: float = 20) -> None:
    from kiosk.devices.cardreader.transport import reader_states

    deadline = time.monotonic() + timeout
    while not any(s["reader"] == reader and s["card_present"] for s in reader_states()):
        if time.monotonic() > deadline:
            raise RuntimeError("the virtual card did not appear in the vpcd reader")
        time.sleep(0.1)
