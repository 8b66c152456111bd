"""Spoken prompts: real espeak-ng audio for Vietnamese and English, interruption, repeat,
volume, privacy, and a kiosk without espeak-ng or without a sound device."""

import logging
import os
import shutil
import time

import pytest

from kiosk import config
from kiosk.speech import MAX_VOLUME, Speaker, from_settings, wav_peak, wav_seconds

needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")

NAME = "Nguyễn Thị Minh Khai"


@pytest.fixture
def slow_binary(tmp_path):
    """A stand-in for espeak-ng playing to a slow sound device: reads the text, then plays
    (sleeps) for 30 s.  Writes its command line where the test can read it."""
    script = tmp_path / "slow-espeak"
    script.write_text(f'#!/bin/sh\necho "$@" >> {tmp_path}/argv\ncat > {tmp_path}/stdin-$$\nexec sleep 30\n')
    script.chmod(0o755)
    return script


@needs_espeak
def test_vietnamese_prompt_gives_real_audio():
    sp = Speaker(enabled=True)
    assert sp.available
    wav = sp.synthesize(f"Xin chào {NAME}. Vui lòng đặt thẻ căn cước lên đầu đọc.", "vi")
    assert wav[:4] == b"RIFF"
    assert wav_seconds(wav) > 1.0
    assert wav_peak(wav) > 1000  # not silence
    english = sp.synthesize("Please place your ID card on the reader.", "en")
    assert wav_seconds(english) > 1.0 and english != wav


@needs_espeak
def test_volume_changes_the_amplitude_and_is_clamped():
    sp = Speaker(enabled=True, volume=100)
    loud = wav_peak(sp.synthesize("Xin chào quý khách", "vi"))
    sp.volume = 20
    quiet = wav_peak(sp.synthesize("Xin chào quý khách", "vi"))
    assert quiet < loud / 2
    sp.volume = 999
    assert sp.volume == MAX_VOLUME
    sp.volume = -5
    assert sp.volume == 0
    assert sp.louder() == 20 and sp.quieter() == 0 and sp.quieter() == 0


@needs_espeak
def test_say_to_wav_files_and_repeat(tmp_path):
    sp = Speaker(enabled=True, wav_dir=tmp_path / "wav")
    assert sp.say("Mời bạn chọn dịch vụ", "vi")
    assert sp.wait(20)
    first = sp.last_wav
    assert first.exists() and wav_seconds(first) > 0.5 and wav_peak(first) > 1000
    assert sp.repeat()
    assert sp.wait(20)
    second = sp.last_wav
    assert second != first
    assert abs(wav_seconds(second) - wav_seconds(first)) < 0.05  # the same prompt again
    assert sp.last_lang == "vi"


@needs_espeak
def test_default_device_returns_promptly_even_without_a_sound_card():
    # On this machine there is no sound card: espeak-ng must neither hang nor raise.
    sp = Speaker(enabled=True)
    started = time.monotonic()
    assert sp.say("Xin chào", "vi")
    returned = time.monotonic() - started
    assert sp.wait(20), "espeak-ng did not finish"
    assert not sp.speaking
    assert returned < 5  # say() never waits for the audio


def test_a_new_prompt_interrupts_the_previous_one(slow_binary, tmp_path):
    sp = Speaker(enabled=True, binary=str(slow_binary))
    assert sp.say("một", "vi")
    first = sp._proc
    assert sp.speaking
    assert sp.say("hai", "vi")
    assert first.poll() is not None and first.returncode != 0  # stopped, not finished
    assert sp.speaking
    sp.stop()
    assert not sp.speaking


def test_text_goes_through_stdin_never_the_command_line_or_logs(slow_binary, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    sp = Speaker(enabled=True, binary=str(slow_binary))
    sp.say(f"Xin chào {NAME}", "vi")
    pid = sp._proc.pid
    deadline = time.monotonic() + 10
    stdin_file = tmp_path / f"stdin-{pid}"
    while time.monotonic() < deadline and not (stdin_file.exists() and stdin_file.read_bytes()):
        time.sleep(0.05)
    assert stdin_file.read_text(encoding="utf-8") == f"Xin chào {NAME}"
    argv = (tmp_path / "argv").read_text(encoding="utf-8")
    assert "Nguyễn" not in argv and "-v vi" in argv and "-a 100" in argv
    with open(f"/proc/{pid}/cmdline", "rb") as f:
        assert "Nguyễn".encode() not in f.read()
    sp.stop()
    assert "Nguyễn" not in caplog.text and "Khai" not in caplog.text


def test_disabled_speaker_stays_quiet_but_remembers_for_repeat(slow_binary):
    sp = Speaker(enabled=False, binary=str(slow_binary))
    assert not sp.say("Mời bạn chọn dịch vụ", "vi")
    assert not sp.speaking and sp.has_prompt()
    assert sp.repeat()  # the citizen asked: "Nghe lại" speaks even when speech is off
    assert sp.speaking
    sp.close()
    assert not sp.say("   ")


def test_missing_espeak_is_silently_unavailable(caplog):
    caplog.set_level(logging.DEBUG)
    sp = Speaker(enabled=True, binary="espeak-ng-not-installed-here")
    assert not sp.available
    assert sp.say(f"Xin chào {NAME}", "vi") is False
    assert sp.repeat() is False
    assert sp.synthesize("Xin chào", "vi") == b""
    sp.stop()
    assert sp.wait(1)
    assert NAME not in caplog.text


def test_speaker_from_settings():
    s = config.defaults().replace(accessibility={"speech": True, "speech_volume": 140})
    sp = from_settings(s)
    assert sp.enabled and sp.volume == 140
    sp = from_settings(config.defaults())
    assert not sp.enabled and sp.volume == 100


def test_stop_reaps_the_process(slow_binary):
    sp = Speaker(enabled=True, binary=str(slow_binary))
    sp.say("ba", "vi")
    pid = sp._proc.pid
    sp.stop()
    assert not os.path.exists(f"/proc/{pid}") or open(f"/proc/{pid}/stat").read().split()[2] != "Z"


def test_reset_forgets_the_prompt_and_restores_volume(slow_binary):
    sp = Speaker(enabled=False, volume=100, binary=str(slow_binary))
    sp.enabled = True
    sp.louder()
    sp.say(f"Xin chào {NAME}", "vi")
    assert sp.speaking
    sp.reset()
    assert not sp.speaking and not sp.has_prompt() and not sp.repeat()
    assert sp.volume == 100 and sp.enabled is False
