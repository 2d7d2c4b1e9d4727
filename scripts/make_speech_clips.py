"""Synthesise the short speech clips of the spectrograms page with eSpeak NG and write assets/speech/.

    python scripts/make_speech_clips.py

Needs the `espeak-ng` program (Debian/Ubuntu: `apt-get install espeak-ng`); the app itself never
runs it: the WAV files and their manifest (assets/speech/clips.toml) are committed. Each clip is
eSpeak's 22.05 kHz output with its silent ends trimmed, resampled to 16 kHz mono, peak-normalised
and stored as 16-bit PCM. Chinese uses the `cmn-latn-pinyin` voice: eSpeak NG 1.51's plain `cmn`
voice reads each syllable's tone number aloud in English.
"""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.signal import resample_poly

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "assets" / "speech"
SAMPLE_RATE = 16_000
WORDS_PER_MINUTE = 140
MARGIN_SECONDS = 0.05  # of silence kept before and after the speech
VOICES = {"en": "en-us", "zh": "cmn-latn-pinyin"}
# id -> (language, text). Chosen to show something: the four Mandarin tones as pitch contours,
# the hiss of "s" and "sh" high up, a caption and a digit of the worlds spoken in both languages.
CLIPS = {
    "hello_en": ("en", "hello"),
    "seven_en": ("en", "seven"),
    "red_circle_en": ("en", "a small red circle"),
    "sea_shells_en": ("en", "she sells sea shells"),
    "nihao_zh": ("zh", "你好"),
    "seven_zh": ("zh", "七"),
    "red_circle_zh": ("zh", "红色的圆"),
    "four_tones_zh": ("zh", "妈麻马骂"),
}


def synthesise(text: str, voice: str) -> tuple[np.ndarray, int]:
    wav = subprocess.run(
        ["espeak-ng", "-v", voice, "-s", str(WORDS_PER_MINUTE), "--stdout", text], capture_output=True, check=True
    ).stdout
    samples, rate = sf.read(io.BytesIO(wav), dtype="float32")
    return samples, rate


def trim(samples: np.ndarray, rate: int, threshold: float = 0.01) -> np.ndarray:
    """Drop the silence eSpeak puts around an utterance, keeping a short margin."""
    loud = np.flatnonzero(np.abs(samples) > threshold * np.abs(samples).max())
    margin = int(MARGIN_SECONDS * rate)
    return samples[max(0, loud[0] - margin) : loud[-1] + margin]


def to_16k(samples: np.ndarray, rate: int) -> np.ndarray:
    resampled = resample_poly(samples, SAMPLE_RATE, rate) if rate != SAMPLE_RATE else samples
    return (0.9 * resampled / np.abs(resampled).max()).astype(np.float32)


def espeak_version() -> str:
    out = subprocess.run(["espeak-ng", "--version"], capture_output=True, text=True, check=True).stdout
    return out.split("Data at")[0].strip()  # "eSpeak NG text-to-speech: 1.51"


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    manifest = [f"# Written by scripts/make_speech_clips.py with {espeak_version()}; do not edit by hand.\n"]
    for clip_id, (language, text) in CLIPS.items():
        samples, rate = synthesise(text, VOICES[language])
        clip = to_16k(trim(samples, rate), rate)
        sf.write(OUT / f"{clip_id}.wav", clip, SAMPLE_RATE, subtype="PCM_16")
        manifest.append(
            f'[{clip_id}]\nlanguage = "{language}"\ntext = "{text}"\nvoice = "{VOICES[language]}"\n'
            f"seconds = {len(clip) / SAMPLE_RATE:.2f}\n"
        )
        print(f"{clip_id:<16} {len(clip) / SAMPLE_RATE:5.2f} s  {text}")
    (OUT / "clips.toml").write_text("\n".join(manifest), encoding="utf-8")


if __name__ == "__main__":
    main()
