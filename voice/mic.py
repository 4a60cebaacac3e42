"""Microphone and speakers through PortAudio (sounddevice), half-duplex.

The microphone is stopped while the kiosk speaks, so the kiosk never hears itself.
Without a sound card, opening either one raises `DeviceError` with a French message.
"""

from __future__ import annotations

import logging
import queue
from collections.abc import Iterator
from typing import Any

from voice.audio import Audio
from voice.config import FRAME_MS, SAMPLE_RATE

logger = logging.getLogger(__name__)

QUEUE_FRAMES = 400  # about 12 s of 30 ms frames waiting to be read
NO_MIC = (
    "Aucun micro n'est disponible. Branchez un micro, "
    "ou lancez la borne au clavier avec : python -m kiosk --typed"
)
NO_SPEAKER = "Aucun haut-parleur n'est disponible. Branchez des haut-parleurs ou un casque."


class DeviceError(RuntimeError):
    """No usable microphone or speaker (French message)."""


def _sounddevice() -> Any:
    try:
        import sounddevice
    except OSError as error:  # PortAudio library missing
        raise DeviceError(
            "Le son n'est pas installé sur cet ordinateur (PortAudio). Lancez : make system-deps"
        ) from error
    return sounddevice


def has_input_device() -> bool:
    """True when a microphone can be opened."""
    try:
        _sounddevice().query_devices(kind="input")
    except Exception:  # PortAudioError, ValueError, DeviceError: no device to use
        return False
    return True


def has_output_device() -> bool:
    """True when a speaker can be opened."""
    try:
        _sounddevice().query_devices(kind="output")
    except Exception:  # PortAudioError, ValueError, DeviceError: no device to use
        return False
    return True


class Microphone:
    """16 kHz mono 16-bit microphone delivering fixed-size frames."""

    def __init__(
        self, rate: int = SAMPLE_RATE, frame_ms: int = FRAME_MS, device: int | str | None = None
    ) -> None:
        self.rate = rate
        self.frame_ms = frame_ms
        self.device = device
        self._queue: queue.Queue[bytes] = queue.Queue(maxsize=QUEUE_FRAMES)
        self._stream: Any = None

    def open(self) -> Microphone:
        sd = _sounddevice()
        try:
            sd.query_devices(self.device, kind="input")
            self._stream = sd.RawInputStream(
                samplerate=self.rate,
                blocksize=int(self.rate * self.frame_ms / 1000),
                channels=1,
                dtype="int16",
                device=self.device,
                callback=self._on_audio,
            )
            self._stream.start()
        except Exception as error:  # PortAudioError or ValueError: no input device
            logger.info("Cannot open the microphone: %s", error)
            raise DeviceError(NO_MIC) from error
        return self

    def _on_audio(self, data: Any, _frames: int, _time: Any, status: Any) -> None:
        if status:
            logger.debug("Microphone status: %s", status)
        try:
            self._queue.put_nowait(bytes(data))
        except queue.Full:
            logger.warning("Microphone frames dropped: the kiosk is too slow")

    def frames(self, timeout: float = 1.0) -> Iterator[bytes]:
        """Frames as they arrive; stops if none arrives for `timeout` seconds."""
        while True:
            try:
                yield self._queue.get(timeout=timeout)
            except queue.Empty:
                logger.warning("No audio from the microphone for %s s", timeout)
                return

    def _flush(self) -> None:
        while not self._queue.empty():
            self._queue.get_nowait()

    def pause(self) -> None:
        """Stops listening (while the kiosk speaks)."""
        if self._stream is not None and self._stream.active:
            self._stream.stop()
        self._flush()

    def resume(self) -> None:
        """Listens again, forgetting anything heard meanwhile."""
        self._flush()
        if self._stream is not None and not self._stream.active:
            self._stream.start()

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()
            self._stream = None


class Speakers:
    """Plays audio and waits until it has been heard."""

    def __init__(self, device: int | str | None = None) -> None:
        self.device = device
        self._sd = _sounddevice()
        try:
            self._sd.query_devices(device, kind="output")
        except Exception as error:  # PortAudioError or ValueError: no output device
            raise DeviceError(NO_SPEAKER) from error

    def play(self, audio: Audio) -> None:
        try:
            self._sd.play(audio.samples, audio.rate, device=self.device, blocking=True)
        except Exception as error:  # PortAudioError: device unplugged while playing
            logger.error("Cannot play audio: %s", error)
            raise DeviceError(NO_SPEAKER) from error


__all__ = ["DeviceError", "Microphone", "Speakers", "has_input_device", "has_output_device"]
