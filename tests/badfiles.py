"""Bad (and a few good) inputs that every page must survive, built in memory in under a second.

Each case is a `Case(name, data, expected)`. `expected` says what `components.safe_input` must do:
"ok" (decoded, no particular notice), "notice:<key>" (decoded, with that notice among the notices)
or "error:<key>" (refused with `BadInput(<key>)`). Page tests can feed every case to a page and
check that it shows a message instead of a traceback.
"""

from __future__ import annotations

import io
import struct
import zlib
from functools import lru_cache
from typing import NamedTuple

import numpy as np
import soundfile as sf
from PIL import Image

ELEVEN_MB = 11 * 1024 * 1024


class Case(NamedTuple):
    name: str
    data: bytes | str
    expected: str  # "ok", "notice:<i18n key>" or "error:<i18n key>"


# --- images -----------------------------------------------------------------------------------


def _save(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def _photo(mode: str = "RGB", size: tuple[int, int] = (64, 48)) -> Image.Image:
    """A picture with a left-to-right gradient, so that rotations and flips are detectable."""
    width, height = size
    ramp = np.tile(np.linspace(0, 255, width, dtype=np.uint8), (height, 1))
    rgb = np.stack([ramp, np.full_like(ramp, 80), 255 - ramp], axis=-1)
    return Image.fromarray(rgb).convert(mode)


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def blank_png(width: int, height: int) -> bytes:
    """A valid 1-bit PNG of any size: one colour compresses to almost nothing, as in a real bomb.

    Written by hand because Pillow would first allocate the whole picture in memory.
    """
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte + packed pixels
    packer = zlib.compressobj(9)
    rows_per_block = max(1, 4_000_000 // len(row))
    pixels = b"".join(
        packer.compress(row * min(rows_per_block, height - top)) for top in range(0, height, rows_per_block)
    )
    pixels += packer.flush()
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", pixels) + _png_chunk(b"IEND", b"")


def _exif_rotated_jpeg() -> bytes:
    """A 64x48 JPEG whose EXIF says 'rotate 90° clockwise to view', as phones write them."""
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90 CW
    return _save(_photo(), "JPEG", exif=exif.tobytes())


def _animated_gif() -> bytes:
    frames = [_photo().rotate(angle) for angle in (0, 90, 180)]
    return _save(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)


def _palette_with_transparency() -> bytes:
    image = _photo().convert("P")
    return _save(image, "PNG", transparency=0)


def _sixteen_bit_png() -> bytes:
    ramp = np.tile(np.linspace(0, 65535, 64, dtype=np.uint16), (48, 1))
    return _save(Image.fromarray(ramp), "PNG")


def _float_tiff() -> bytes:
    ramp = np.tile(np.linspace(-1.0, 1.0, 64, dtype=np.float32), (48, 1))
    return _save(Image.fromarray(ramp), "TIFF")


@lru_cache(maxsize=1)
def image_cases() -> list[Case]:
    png = _save(_photo(), "PNG")
    jpeg = _save(_photo(), "JPEG", quality=90)
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>'
    return [
        Case("rgb.png", png, "ok"),
        Case("photo.jpg", jpeg, "ok"),
        Case("photo.webp", _save(_photo(), "WEBP"), "ok"),
        Case("photo.bmp", _save(_photo(), "BMP"), "ok"),
        Case("png_named.jpg", png, "ok"),
        Case("grey.png", _save(_photo("L"), "PNG"), "ok"),
        Case("one_bit.png", _save(_photo("1"), "PNG"), "ok"),
        Case("palette.png", _save(_photo("P"), "PNG"), "ok"),
        Case("tiny_1x1.png", _save(_photo(size=(1, 1)), "PNG"), "ok"),
        Case("strip_400x4.png", _save(_photo(size=(400, 4)), "PNG"), "ok"),  # as thin as we accept
        Case("palette_transparent.png", _palette_with_transparency(), "notice:input.image_alpha_flattened"),
        Case("rgba.png", _save(_photo("RGBA"), "PNG"), "notice:input.image_alpha_flattened"),
        Case("grey_alpha.png", _save(_photo("LA"), "PNG"), "notice:input.image_alpha_flattened"),
        Case("cmyk.jpg", _save(_photo("CMYK"), "JPEG"), "notice:input.image_converted"),
        Case("sixteen_bit.png", _sixteen_bit_png(), "notice:input.image_converted"),
        Case("float.tiff", _float_tiff(), "notice:input.image_converted"),
        Case("animated.gif", _animated_gif(), "notice:input.image_first_frame"),
        Case("exif_rotated.jpg", _exif_rotated_jpeg(), "notice:input.image_rotated"),
        Case("empty.png", b"", "error:input.file_empty"),
        Case("huge_file.png", png + b"\x00" * ELEVEN_MB, "error:input.file_too_large"),
        Case("text.png", b"hello, I am not a picture\n" * 20, "error:input.image_not_decodable"),
        Case("drawing.svg", svg, "error:input.image_not_decodable"),
        Case("sound.png", _wav(np.zeros(800), 8000), "error:input.image_not_decodable"),
        Case("signature_only.png", png[:8], "error:input.image_not_decodable"),
        Case("truncated.png", png[: len(png) // 2], "error:input.image_damaged"),
        Case("truncated.jpg", jpeg[: len(jpeg) // 2], "error:input.image_damaged"),
        Case("bomb_20000x20000.png", blank_png(20_000, 20_000), "error:input.image_too_large"),
        Case("big_7000x7000.png", blank_png(7_000, 7_000), "error:input.image_too_large"),  # over our limit
        Case("strip_4000x1.png", _save(_photo(size=(4000, 1)), "PNG"), "error:input.image_too_thin"),
        Case("strip_1x3000.png", _save(_photo(size=(1, 3000)), "PNG"), "error:input.image_too_thin"),
        Case("big_10000x10000.png", blank_png(10_000, 10_000), "error:input.image_too_large"),  # Pillow warns
    ]


# --- audio ------------------------------------------------------------------------------------


def tone(seconds: float, rate: int, hz: float = 440.0, amplitude: float = 0.5) -> np.ndarray:
    time = np.arange(int(seconds * rate)) / rate
    return (amplitude * np.sin(2 * np.pi * hz * time)).astype(np.float32)


def _wav(samples: np.ndarray, rate: int, subtype: str = "PCM_16", fmt: str = "WAV") -> bytes:
    buffer = io.BytesIO()
    sf.write(buffer, samples, rate, subtype=subtype, format=fmt)
    return buffer.getvalue()


def _wav_header_only() -> bytes:
    """A WAV header that announces one second of sound, followed by no data at all."""
    fmt = struct.pack("<HHIIHH", 1, 1, 16000, 32000, 2, 16)
    chunks = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", 32000)
    return b"RIFF" + struct.pack("<I", len(chunks)) + chunks


def _long_silence(hours: float, rate: int, fmt: str) -> bytes:
    """Real hours of digital silence, written a minute at a time (a WAV of it is far over the upload
    cap; FLAC packs it into 90 kB, so only the decoder's `max_seconds` protects us)."""
    buffer = io.BytesIO()
    minute = np.zeros(60 * rate, np.float32)
    with sf.SoundFile(buffer, "w", rate, 1, "PCM_16", format=fmt) as sound:
        for _ in range(round(hours * 60)):
            sound.write(minute)
    return buffer.getvalue()


def _header_claims_an_hour(samples: np.ndarray, rate: int) -> bytes:
    """A 16-bit WAV whose header announces one hour of sound but that holds only `samples`."""
    wav = _wav(samples, rate)
    claimed = 3600 * rate * 2
    return wav[:4] + struct.pack("<I", 36 + claimed) + wav[8:40] + struct.pack("<I", claimed) + wav[44:]


def _with_sample(samples: np.ndarray, value: float) -> np.ndarray:
    spoiled = samples.copy()
    spoiled[len(spoiled) // 2] = value
    return spoiled


@lru_cache(maxsize=1)
def audio_cases() -> list[Case]:
    second = tone(1.0, 16000)
    stereo = np.stack([second, tone(1.0, 16000, hz=660)], axis=1)
    wav = _wav(second, 16000)
    flac = _wav(second, 16000, fmt="FLAC")
    ogg = _wav(second, 16000, "VORBIS", "OGG")
    cases = [
        Case("tone.wav", wav, "ok"),
        Case("tone.flac", flac, "ok"),
        Case("tone.ogg", ogg, "ok"),
        Case("tone.mp3", _wav(second, 16000, "MPEG_LAYER_III", "MP3"), "ok"),
        Case("eight_bit.wav", _wav(second, 16000, "PCM_U8"), "ok"),
        Case("twenty_four_bit.wav", _wav(second, 16000, "PCM_24"), "ok"),
        Case("float.wav", _wav(second, 16000, "FLOAT"), "ok"),
        Case("flac_named.wav", flac, "ok"),
        Case("truncated.wav", wav[: len(wav) // 2], "ok"),  # a cut WAV still holds its first half
        Case("stereo.wav", _wav(stereo, 16000), "notice:input.audio_mixed_to_mono"),
        Case("six_channels.wav", _wav(np.tile(second[:, None], (1, 6)), 16000), "notice:input.audio_mixed_to_mono"),
        Case("long_60s.wav", _wav(tone(60.0, 8000), 8000), "notice:input.audio_truncated"),
        Case(
            "stereo_96k.wav",
            _wav(np.stack([tone(1.0, 96000), tone(1.0, 96000, hz=660)], axis=1), 96000),
            "notice:input.audio_mixed_to_mono",
        ),
        Case("claims_1h.wav", _header_claims_an_hour(second, 16000), "ok"),  # the second it really holds
        Case("one_sample.wav", _wav(np.array([0.5], np.float32), 16000), "ok"),  # pages must draw a click
        Case("too_loud_float.wav", _wav(4 * second, 16000, "FLOAT"), "notice:input.audio_rescaled"),
        Case("empty.wav", b"", "error:input.file_empty"),
        Case("huge_file.wav", wav + b"\x00" * ELEVEN_MB, "error:input.file_too_large"),
        Case("text.wav", b"hello, I am not a sound\n" * 20, "error:input.audio_not_decodable"),
        Case("picture.wav", image_cases()[0].data, "error:input.audio_not_decodable"),
        Case("header_only.wav", _wav_header_only(), "error:input.audio_empty"),
        Case("zero_frames.wav", _wav(np.zeros(0, np.float32), 16000), "error:input.audio_empty"),
        Case("truncated.flac", flac[: len(flac) // 2], "error:input.audio_damaged"),
        Case("truncated.ogg", ogg[: len(ogg) // 2], "error:input.audio_damaged"),
        Case("cut_in_header.wav", wav[:30], "error:input.audio_damaged"),
        Case("silent.wav", _wav(np.zeros(16000, np.float32), 16000), "error:input.audio_silent"),
        Case("silent_1h.wav", _long_silence(1, 8000, "WAV"), "error:input.file_too_large"),  # 58 MB
        Case("silent_1h.flac", _long_silence(1, 8000, "FLAC"), "error:input.audio_silent"),  # 90 kB
        Case("phase_cancelled.wav", _wav(np.stack([second, -second], axis=1), 16000), "error:input.audio_silent"),
        Case("nan.wav", _wav(_with_sample(second, np.nan), 16000, "FLOAT"), "error:input.audio_not_finite"),
        Case("inf.wav", _wav(_with_sample(second, np.inf), 16000, "FLOAT"), "error:input.audio_not_finite"),
        Case("rate_1000.wav", _wav(tone(1.0, 1000, hz=100), 1000), "error:input.audio_rate_unsupported"),
    ]
    rates = (8000, 11025, 22050, 32000, 44100, 48000, 96000)
    return cases + [Case(f"tone_{rate}.wav", _wav(tone(1.0, rate), rate), "ok") for rate in rates]


# --- text -------------------------------------------------------------------------------------


def text_cases() -> list[Case]:
    return [
        Case("plain", "a dog on the beach", "ok"),
        Case("chinese", "沙滩上的一只狗", "ok"),
        Case("japanese", "浜辺の犬", "ok"),
        Case("arabic_rtl", "كلب على الشاطئ", "ok"),
        Case("hebrew_rtl", "כלב על החוף", "ok"),
        Case("mixed_direction", "a dog كلب on the beach", "ok"),
        Case("emoji", "🐶 on the 🏖️", "ok"),
        Case("emoji_zwj_family", "👨‍👩‍👧 at the sea", "ok"),
        Case("combining_accents", "cafe\u0301 au lait", "ok"),
        Case("newlines", "a dog\non the\tbeach", "ok"),
        Case("empty", "", "error:input.text_empty"),
        Case("spaces", "   \t  ", "error:input.text_empty"),
        Case("only_controls", "\x00\x07\x1b", "error:input.text_empty"),
        Case("only_invisible", "\u200b\u200d\ufeff", "error:input.text_empty"),
        Case("only_direction_marks", "\u200f\u200e\u061c", "error:input.text_empty"),
        Case("control_chars", "a dog\x00 on the\x1b[31m beach", "notice:input.text_controls_removed"),
        Case("bidi_override", "a dog \u202eon the beach", "notice:input.text_controls_removed"),
        Case("very_long", "a dog on the beach " * 500, "notice:input.text_truncated"),
        Case("very_long_emoji", "🐶" * 1000, "notice:input.text_truncated"),
        Case("one_megabyte", ("a dog on the beach " * 60_000)[: 1024 * 1024], "notice:input.text_truncated"),
        Case("markup", "<script>alert(1)</script> **a dog** $x$ [beach](http://x)", "ok"),  # shown, never run
    ]
