"""The spectrograms page's controls, by short name (see components/controls/__init__.py)."""

from components.state import Control
from models.core import audio, worlds
from models.spectrograms import analysis as sp


def _control(name: str, default, **allowed) -> Control:
    return Control(f"spectrograms.{name}", default, **allowed)


CONTROL = {
    c.key.split(".", 1)[1]: c
    for c in (
        _control("source", "shape", options=sp.SOURCE_KINDS),
        _control("shape", "square", options=worlds.SHAPES),
        _control("colour", "red", options=worlds.COLOURS),
        _control("size", "small", options=worlds.SIZES),
        _control("digit", 5, options=tuple(range(10))),
        _control("clip", "sea_shells_en", options=tuple(sp.speech_clips())),
        _control("n_fft", 256, options=sp.N_FFTS),
        _control("hop", 4, options=sp.HOP_FRACTIONS),
        _control("window", "hann", options=audio.WINDOWS),
        _control("start", 0.25, low=0.0, high=10.0, step=0.01),  # seconds in; the page stops it at the sound's end
        _control("scale", "linear", options=sp.SCALES),
        _control("n_mels", 40, low=8, high=128, step=8),
        _control("top_db", 80, low=20, high=120, step=10),
        _control("mfcc", False),
        _control("view", "resolution", options=("resolution", "bands", "compare", "model")),
        # kHz, up to the highest Nyquist frequency of a sound here (16 kHz speech); the page stops them at the sound's
        _control("low_band", 0.5, low=0.1, high=sp.SPEECH_RATE / 2000 - 0.1, step=0.1),
        _control("high_band", 2.0, low=0.1, high=sp.SPEECH_RATE / 2000 - 0.1, step=0.1),
        _control("other", "shape:circle:red:small", options=sp.catalogue()),
    )
}
CONTROLS = tuple(CONTROL.values())
