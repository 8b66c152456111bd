"""Spoken prompts through espeak-ng (EN 301 549 §5.1.3, ADA §707.5): speech for what is shown,
repeatable, interruptible, with volume control.

``Speaker.say(text, lang)`` speaks in a background process and returns at once; a new ``say``
stops the one before; ``stop()`` silences it; ``repeat()`` says the last prompt again.  Volume is
espeak-ng's amplitude (``-a``, 0–200, 100 = normal).  Without espeak-ng the speaker is simply not
``available``: ``say`` does nothing and raises nothing, the kiosk works without sound.

Privacy: prompts may contain personal data (a name read from the card), so the text is never
logged, and it goes to espeak-ng on its standard input, not its command line (which any local
user could read in the process list).

Where the sound goes: by default espeak-ng plays on the default sound device.  On a machine
without one it prints an audio error and exits: nothing here waits for it, so the UI never hangs.
``Speaker(wav_dir=...)`` writes each prompt to a WAV file instead, and ``synthesize()`` returns
the WAV bytes of a prompt, for tests and for checking a voice.

``sink``: a callable ``sink(text, lang)`` that receives each prompt instead of espeak-ng (the
lowest boundary: tests capture what a citizen would hear, with or without espeak-ng installed).
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import threading
from pathlib import Path

log = logging.getLogger(__name__)

VOICES = {"vi": "vi", "en": "en"}
MIN_VOLUME, MAX_VOLUME, VOLUME_STEP = 0, 200, 20
MAX_CHARS = 2000  # a prompt is a screen's worth of text; anything longer is cut


class Speaker:
    def __init__(self, enabled: bool = False, volume: int = 100, *, binary: str = "espeak-ng",
                 rate: int = 150, voices: dict[str, str] | None = None, wav_dir: str | os.PathLike | None = None,
                 device: str | None = None):
        self.enabled = bool(enabled)
        self._volume = _clamp(volume)
        self._initial = (self.enabled, self._volume)
        self.rate = int(rate)
        self.voices = dict(voices or VOICES)
        self.wav_dir = Path(wav_dir) if wav_dir is not None else None
        self.device = device
        self._path = shutil.which(binary) if binary else None
        self._lock = threading.Lock()
        self._proc: subprocess.Popen | None = None
        self._last: tuple[str, str] | None = None
        self.spoken = 0  # prompts handed to espeak-ng (a count, never the text)
        self.sink = None  # tests: sink(text, lang) hears each prompt instead of espeak-ng
        if self._path is None:
            log.info("speech: espeak-ng not found; spoken prompts are off")

    # -- state ------------------------------------------------------------------------------

    @property
    def available(self) -> bool:
        return self._path is not None or self.sink is not None

    @property
    def volume(self) -> int:
        return self._volume

    @volume.setter
    def volume(self, value: int) -> None:
        self._volume = _clamp(value)

    def louder(self) -> int:
        self.volume = self._volume + VOLUME_STEP
        return self._volume

    def quieter(self) -> int:
        self.volume = self._volume - VOLUME_STEP
        return self._volume

    @property
    def speaking(self) -> bool:
        with self._lock:
            return self._proc is not None and self._proc.poll() is None

    @property
    def last_lang(self) -> str | None:
        return self._last[1] if self._last else None

    def has_prompt(self) -> bool:
        return self._last is not None

    # -- speaking ---------------------------------------------------------------------------

    def say(self, text: str, lang: str = "vi", *, force: bool = False, remember: bool = True) -> bool:
        """Speak ``text`` (stopping any prompt still playing).  Returns whether a prompt was
        started.  Remembered for ``repeat()`` even while speech is off.  ``force`` speaks even
        when not ``enabled`` (a citizen pressed "Nghe"); ``remember=False`` keeps the last prompt
        for ``repeat()`` (short feedback such as the new volume)."""
        text = (text or "").strip()[:MAX_CHARS]
        if not text:
            return False
        if remember:
            self._last = (text, lang)
        if not (self.enabled or force) or not self.available:
            return False
        self._start(text, lang)
        return True

    def repeat(self) -> bool:
        """Say the last prompt again (ADA §707.5.1: repeatable)."""
        if self._last is None:
            return False
        text, lang = self._last
        return self.say(text, lang, force=True)

    def stop(self) -> None:
        with self._lock:
            proc, self._proc = self._proc, None
        _end(proc)

    def reset(self) -> None:
        """End of a session: silence, forget the last prompt (it may hold the citizen's name),
        and put volume and on/off back as configured (EN 301 549 §5.1.3.13 volume reset)."""
        self.stop()
        self._last = None
        self.enabled, self._volume = self._initial

    def close(self) -> None:
        self.stop()

    def wait(self, timeout: float = 30.0) -> bool:
        """Wait for the current prompt to finish (tests, the CLI).  True when it has."""
        with self._lock:
            proc = self._proc
        if proc is None:
            return True
        try:
            proc.wait(timeout=timeout)
            return True
        except subprocess.TimeoutExpired:
            return False

    def synthesize(self, text: str, lang: str = "vi", timeout: float = 30.0) -> bytes:
        """The WAV bytes of ``text`` spoken in ``lang`` (no sound device involved); b"" when
        espeak-ng is missing or fails."""
        if not self.available or not (text or "").strip():
            return b""
        try:
            done = subprocess.run(self._command(lang, stdout=True), input=text[:MAX_CHARS].encode("utf-8"),
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=timeout)
        except (OSError, subprocess.TimeoutExpired):
            log.warning("speech: synthesis failed")
            return b""
        return done.stdout if done.returncode == 0 else b""

    # -- internals --------------------------------------------------------------------------

    def _command(self, lang: str, stdout: bool = False, wav: Path | None = None) -> list[str]:
        voice = self.voices.get(lang) or self.voices.get((lang or "").split("-")[0]) or "vi"
        cmd = [self._path, "-v", voice, "-a", str(self._volume), "-s", str(self.rate), "-b", "1", "--stdin"]
        if stdout:
            cmd.append("--stdout")
        elif wav is not None:
            cmd += ["-w", str(wav)]
        elif self.device:
            cmd += ["-d", self.device]
        return cmd

    def _start(self, text: str, lang: str) -> None:
        self.stop()
        if self.sink is not None:
            self.spoken += 1
            self.sink(text, lang)
            return
        wav = None
        if self.wav_dir is not None:
            self.wav_dir.mkdir(parents=True, exist_ok=True)
            wav = self.wav_dir / f"prompt-{self.spoken + 1:04d}.wav"
        try:
            proc = subprocess.Popen(self._command(lang, wav=wav), stdin=subprocess.PIPE,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                    start_new_session=True)
        except OSError:
            log.warning("speech: could not start espeak-ng")
            return
        try:
            proc.stdin.write(text.encode("utf-8"))
            proc.stdin.close()
        except OSError:  # it died at once (no voice data, killed): nothing to speak
            pass
        with self._lock:
            old, self._proc = self._proc, proc
            self.spoken += 1
        _end(old)

    @property
    def last_wav(self) -> Path | None:
        """The WAV file of the last prompt when writing to ``wav_dir``."""
        if self.wav_dir is None or not self.spoken:
            return None
        return self.wav_dir / f"prompt-{self.spoken:04d}.wav"


def _clamp(value) -> int:
    return max(MIN_VOLUME, min(MAX_VOLUME, int(value)))


def _end(proc: subprocess.Popen | None) -> None:
    if proc is None:
        return
    if proc.poll() is None:
        try:
            proc.terminate()
            proc.wait(timeout=1.0)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=1.0)
        except OSError:
            pass
    else:
        proc.wait()


def wav_seconds(data_or_path) -> float:
    """Duration of a WAV (bytes or a path) in seconds.  espeak-ng's ``--stdout`` leaves the
    length fields unset, so the length is taken from the data actually there."""
    import io
    import wave

    raw = Path(data_or_path).read_bytes() if isinstance(data_or_path, (str, os.PathLike)) else bytes(data_or_path)
    with wave.open(io.BytesIO(raw)) as w:
        rate, width, channels = w.getframerate(), w.getsampwidth(), w.getnchannels()
    data_at = raw.find(b"data")
    if data_at < 0:
        return 0.0
    payload = len(raw) - (data_at + 8)
    return max(0, payload) / float(rate * width * channels)


def wav_peak(data_or_path) -> int:
    """Largest absolute 16-bit sample: 0 means silence."""
    import array

    raw = Path(data_or_path).read_bytes() if isinstance(data_or_path, (str, os.PathLike)) else bytes(data_or_path)
    data_at = raw.find(b"data")
    if data_at < 0:
        return 0
    payload = raw[data_at + 8:]
    samples = array.array("h")
    samples.frombytes(payload[: len(payload) // 2 * 2])
    return max((abs(s) for s in samples), default=0)


def from_settings(settings) -> Speaker:
    """The speaker kiosk.ini asks for ([accessibility] speech, speech_volume)."""
    acc = settings.accessibility
    return Speaker(enabled=acc.speech, volume=acc.speech_volume)
