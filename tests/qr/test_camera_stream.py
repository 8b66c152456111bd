"""A simulated camera stream of generated codes, decoded end to end into parsed payloads."""

from __future__ import annotations

import queue
import threading
import time
import zlib

import cv2
import numpy as np
import pytest
import qr_imaging as qi

from kiosk import config
from kiosk.devices.base import DeviceState, StatusBoard
from kiosk.devices.qr import build
from kiosk.devices.qr.camera import (
    HINT_CLOSER,
    HINT_FOUND,
    HINT_HOLD_STILL,
    HINT_SHOW_CODE,
    CameraPipeline,
    CameraQrSource,
    GuidanceTracker,
)
from kiosk.devices.qr.decode import CASCADE, Step, decode_frame
from kiosk.devices.qr.simulated import SimulatedQrSource, make_code_image
from kiosk.payloads import DossierCodePayload, parse_payload

HOSTS = ("dichvucong.gov.vn",)
WAIT = 10.0  # generous upper bound for a scan to arrive; never a timing assertion


class Collector:
    def __init__(self):
        self.q: queue.Queue = queue.Queue()
        self.threads: set[str] = set()

    def __call__(self, scan):
        self.threads.add(threading.current_thread().name)
        self.q.put(scan)

    def next(self, timeout=WAIT):
        return self.q.get(timeout=timeout)

    def wait_for(self, payload, timeout=WAIT):
        deadline = time.monotonic() + timeout
        while True:
            scan = self.q.get(timeout=max(0.01, deadline - time.monotonic()))
            if scan.payload == payload:
                return scan


@pytest.fixture
def sim():
    source = SimulatedQrSource(None, size=qi.SIZE, fps=30, board=StatusBoard(), dedupe_seconds=3.0)
    got = Collector()
    source.open()
    source.start(got)
    yield source, got
    source.close()


@pytest.mark.parametrize("trouble", sorted(qi.TROUBLES))
def test_troubled_code_is_scanned_and_parsed(sim, trouble):
    source, got = sim
    code = f"HS-2026-{zlib.crc32(trouble.encode()) % 10**6:06d}"
    source.show_image(qi.TROUBLES[trouble](code))
    scan = got.wait_for(code)
    assert scan.source == "simulated" and scan.decoder.startswith(("zxing", "pyzbar"))
    assert scan.points and len(scan.points) == 4
    assert got.threads and threading.main_thread().name not in got.threads  # delivered off the caller's thread
    assert parse_payload(scan.payload, HOSTS) == DossierCodePayload(code)
    frame, points, hint = source.preview()
    assert frame.shape == (720, 1280, 3)


def test_lookup_url_on_a_receipt_becomes_a_dossier_code(sim):
    source, got = sim
    url = "https://dichvucong.gov.vn/tra-cuu?maHoSo=H01.22-261129-0042"
    source.show_image(qi.perspective(url))
    scan = got.wait_for(url)
    p = parse_payload(scan.payload, HOSTS)
    assert isinstance(p, DossierCodePayload) and p.code == "H01.22-261129-0042" and p.from_url


def test_code_held_in_view_is_one_scan_and_every_code_in_a_frame_is_reported(sim):
    source, got = sim
    a, b = make_code_image("HS-2026-00000A", 6), make_code_image("HS-2026-00000B", 6)
    canvas = np.full((400, 900), 255, np.uint8)
    canvas[20 : 20 + a.shape[0], 20 : 20 + a.shape[1]] = a
    canvas[20 : 20 + b.shape[0], 480 : 480 + b.shape[1]] = b
    source.show_image(canvas)
    first = {got.next().payload, got.next().payload}
    assert first == {"HS-2026-00000A", "HS-2026-00000B"}
    grabbed = source.pipeline.decoded_frames
    while source.pipeline.decoded_frames < grabbed + 10:  # ten more frames with both codes in view
        time.sleep(0.05)
    assert got.q.empty()
    assert source.duplicates >= 10


def test_shown_again_after_the_window_is_a_new_scan():
    source = SimulatedQrSource(None, fps=30, dedupe_seconds=0.3)
    got = Collector()
    source.start(got)
    try:
        img = qi.rotated("HS-2026-AGAIN1", 10)
        source.show_image(img)
        got.wait_for("HS-2026-AGAIN1")
        source.show_image(None)
        time.sleep(0.5)
        source.show_image(img)
        got.wait_for("HS-2026-AGAIN1")
    finally:
        source.close()


def test_inject_behaves_like_a_wedge_scanner(sim):
    source, got = sim
    assert source.inject("]Q1HS-2026-000999\r\n")
    scan = got.next()
    assert scan.payload == "HS-2026-000999" and scan.decoder == "keyboard"
    assert not source.inject("HS-2026-000999\r")  # same code within the window: a duplicate
    assert source.inject("001234567889||Nguyễn Văn An|01011990|Nam|Hà Nội|15062021\n")
    assert "|" in got.next().payload


def test_preview_guidance_from_a_running_stream(sim):
    source, got = sim
    deadline = time.monotonic() + WAIT
    while source.preview() is None or source.preview()[2] != HINT_SHOW_CODE:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert source.preview()[1] is None
    source.show_image(qi.rotated("HS-2026-PREVIEW", 20))
    got.wait_for("HS-2026-PREVIEW")
    frame, points, hint = source.preview()
    assert hint == HINT_FOUND and len(points) == 4
    xs = [p[0] for p in points]
    assert 300 < min(xs) < max(xs) < 1000  # the outline is where the code is in the frame


# --- guidance, frame by frame (deterministic) -----------------------------------------------------


def _guide(frames):
    tracker = GuidanceTracker(clock=iter(range(0, 1000, 5)).__next__)  # 5 s apart: no "found" hold
    out = []
    for f in frames:
        gray = cv2.cvtColor(f, cv2.COLOR_BGR2GRAY)
        out.append(tracker.update(gray, decode_frame(f)))
    return out


def test_guidance_keys():
    desk = qi.place(np.full((10, 10), 120, np.uint8))
    sharp = qi.rotated("HS-2026-GUIDE1", 5)
    far = qi.place(cv2.GaussianBlur(make_code_image("HS-2026-GUIDE2", 1), (0, 0), 0.6), at=(600, 330))
    shaky = cv2.GaussianBlur(qi.place(make_code_image("HS-2026-GUIDE3", 8)), (0, 0), 4.5)
    moving = [qi.place(make_code_image("X" * 30, 6), at=(100 + 500 * i, 100 + 100 * i), seed=i) for i in range(2)]
    for f in moving:
        cv2.GaussianBlur(f, (0, 0), 9, dst=f)
    g = _guide([desk, sharp, far, shaky, moving[0], moving[1]])
    assert g[0].key == HINT_SHOW_CODE and g[0].points is None
    assert g[1].key == HINT_FOUND and g[1].code_fraction > 0.15
    assert g[2].key == HINT_CLOSER and g[2].code_fraction < 0.15, g[2]
    assert g[3].key == HINT_HOLD_STILL and g[3].points is not None, g[3]
    assert g[5].key == HINT_HOLD_STILL and g[5].points is None and g[5].motion > 3 * max(g[0].motion, 0.1), g[5]
    assert g[3].sharpness < g[1].sharpness


# --- the pipeline drops frames rather than queueing them ---------------------------------------


def test_slow_decoder_drops_frames_and_always_takes_the_newest():
    stop = threading.Event()
    counter = [0]
    frames = [qi.place(make_code_image(f"HS-FRAME-{i:04d}", 4)) for i in range(8)]

    def grab():
        counter[0] += 1
        time.sleep(0.002)
        return frames[counter[0] % len(frames)]

    seen = []
    slow = Step("slow-zxing", lambda g: (time.sleep(0.05), CASCADE[0].run(g))[1])
    pipe = CameraPipeline(grab, lambda found: seen.extend(d.text for d in found), stop, steps=(slow,))
    threads = [threading.Thread(target=pipe.grabber), threading.Thread(target=pipe.decoder)]
    for t in threads:
        t.start()
    while pipe.decoded_frames < 6:
        time.sleep(0.01)
    stop.set()
    for t in threads:
        t.join(5)
    assert pipe.dropped > 0
    assert pipe.decoded_frames + pipe.dropped <= pipe.grabbed  # nothing queued beyond one slot
    assert pipe.decoded_frames < pipe.grabbed
    assert len(set(seen)) >= 2


# --- build() and the configured scenes ----------------------------------------------------------


def test_build_chooses_the_configured_source(tmp_path):
    s = config.defaults()
    assert isinstance(build(s, StatusBoard()), SimulatedQrSource)
    cam = build(s.replace(devices={"qr_source": "camera", "qr_camera": "7"}), StatusBoard())
    assert isinstance(cam, CameraQrSource) and cam.frames.target == 7
    from kiosk.devices.qr.hid import HidQrSource
    from kiosk.devices.qr.serial_scanner import SerialQrSource

    hid = build(s.replace(devices={"qr_source": "hid", "qr_hid_device": "/dev/input/by-id/x"}), StatusBoard())
    assert isinstance(hid, HidQrSource)
    ser = build(s.replace(devices={"qr_source": "serial"}), StatusBoard())
    assert isinstance(ser, SerialQrSource) and ser.baud == 9600
    assert isinstance(build(s.replace(devices={"qr_source": "serial"}), StatusBoard(), simulated=True),
                      SimulatedQrSource)


def _scan_one(settings, timeout=WAIT):
    source = build(settings, StatusBoard())
    got = Collector()
    source.open()
    source.start(got)
    try:
        return source, got.next(timeout)
    finally:
        source.close()


def test_simulated_folder_image_video_and_generated_scenes(tmp_path):
    folder = tmp_path / "codes"
    folder.mkdir()
    cv2.imwrite(str(folder / "a.png"), qi.glare("HS-FOLDER-0001"))
    cv2.imwrite(str(tmp_path / "one.jpg"), qi.low_contrast("HS-IMAGE-0001"))
    video = tmp_path / "clip.avi"
    w = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"MJPG"), 15, qi.SIZE)
    for i in range(6):
        w.write(qi.rotated("HS-VIDEO-0001", 5 * i))
    w.release()
    s = config.defaults()
    for raw, expected in ((str(folder), "HS-FOLDER-0001"), (str(tmp_path / "one.jpg"), "HS-IMAGE-0001"),
                          (str(video), "HS-VIDEO-0001")):
        _, scan = _scan_one(s.replace(devices={"qr_simulated_images": raw}))
        assert scan.payload == expected
    _, scan = _scan_one(s.replace(devices={"qr_simulated_images": "generated"}))
    assert isinstance(parse_payload(scan.payload, HOSTS), DossierCodePayload)


def test_missing_simulated_images_is_reported_not_raised(tmp_path):
    source = build(config.defaults().replace(devices={"qr_simulated_images": str(tmp_path / "nope")}), StatusBoard())
    assert source.status.state == DeviceState.NO_DEVICE and "not found" in source.status.last_error


# --- the real camera path (cv2.VideoCapture) over a video file, with "unplug" at its end -------


def test_camera_source_reads_through_videocapture_and_reopens(tmp_path, monkeypatch):
    import kiosk.devices.qr.camera as camera

    monkeypatch.setattr(camera, "REOPEN_SECONDS", 0.2)
    video = tmp_path / "camera.avi"
    w = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"MJPG"), 15, qi.SIZE)
    for i in range(5):
        w.write(qi.rotated("HS-CAMERA-0001", 3 * i))
    w.release()
    board = StatusBoard()
    states = []
    board.subscribe(lambda st: states.append(st.state))
    source = CameraQrSource(str(video), board=board, dedupe_seconds=0.1)
    got = Collector()
    source.open()
    assert source.status.state == DeviceState.ONLINE and source.status.detail == "1280x720"
    source.start(got)
    try:
        got.wait_for("HS-CAMERA-0001")
        # the file ends: the camera "stops delivering frames", is released and opened again
        got.wait_for("HS-CAMERA-0001")
        deadline = time.monotonic() + WAIT
        while DeviceState.NO_DEVICE not in states:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert states[-1] in (DeviceState.ONLINE, DeviceState.NO_DEVICE)
        frame, points, hint = source.preview()
        assert frame.shape == (720, 1280, 3)
    finally:
        source.close()
    assert source.status.state == DeviceState.OFFLINE


def test_camera_that_does_not_exist_is_no_device():
    source = CameraQrSource("/dev/video-not-here", board=StatusBoard())
    source.open()
    assert source.status.state == DeviceState.NO_DEVICE
    source.close()


def test_an_odd_frame_does_not_stop_the_decoder():
    stop = threading.Event()
    good = qi.rotated("HS-2026-ODDFRAME", 0)
    odd = [np.zeros((5,), np.uint8), np.zeros((40, 40, 7), np.uint8)]

    def grab():
        time.sleep(0.1 if odd else 0.005)  # odd frames slowly: the decoder surely takes each
        return odd.pop(0) if odd else good

    seen = queue.Queue()
    pipe = CameraPipeline(grab, lambda found: seen.put(found[0].text), stop)
    threads = [threading.Thread(target=pipe.grabber), threading.Thread(target=pipe.decoder)]
    for t in threads:
        t.start()
    try:
        assert seen.get(timeout=WAIT) == "HS-2026-ODDFRAME"
        assert pipe.bad_frames == 2
    finally:
        stop.set()
        for t in threads:
            t.join(5)


def test_a_paused_camera_decodes_nothing_until_it_resumes(sim):
    """Between scan screens the kiosk pauses its camera: it stays open, but no frame is made
    (simulated) or decoded, so no CPU goes to looking for codes nobody asked for."""
    source, got = sim
    source.show_image(make_code_image("HS-2026-PAUSE1", 6))
    got.wait_for("HS-2026-PAUSE1")
    source.pause()
    time.sleep(0.5)  # a frame already on its way finishes
    decoded, grabbed = source.pipeline.decoded_frames, source.pipeline.grabbed
    source.show_image(make_code_image("HS-2026-PAUSE2", 6))
    time.sleep(1.0)
    assert source.running and not source.listening
    assert (source.pipeline.decoded_frames, source.pipeline.grabbed) == (decoded, grabbed)
    seen = []
    while not got.q.empty():
        seen.append(got.q.get().payload)
    assert "HS-2026-PAUSE2" not in seen
    source.resume()
    assert got.wait_for("HS-2026-PAUSE2").payload == "HS-2026-PAUSE2"
