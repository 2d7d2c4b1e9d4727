"""The worlds: deterministic, well-formed, balanced, and every modality really carries its attributes."""

import hashlib

import numpy as np
import pytest
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import RidgeClassifier

from models.core import features, worlds


@pytest.fixture(scope="module")
def shapes():
    return worlds.make_world("shapes", seed=0, n=1200)


@pytest.fixture(scope="module")
def digits():
    return worlds.make_world("digits", seed=0)


def test_same_seed_same_world_and_other_seed_differs():
    a, b, c = (worlds.make_world("shapes", seed=s, n=100) for s in (1, 1, 2))
    assert np.array_equal(a.images, b.images) and np.array_equal(a.audio, b.audio) and a.captions == b.captions
    assert not np.array_equal(a.images, c.images)


@pytest.mark.parametrize("name", worlds.WORLD_NAMES)
def test_shapes_and_dtypes(name, shapes, digits):
    w = shapes if name == "shapes" else digits
    n = len(w)
    assert w.images.dtype == np.uint8 and w.images.ndim == 4 and w.images.shape[0] == n and w.images.shape[-1] == 3
    assert w.audio.dtype == np.float32 and w.audio.shape == (n, int(w.sample_rate * worlds.SOUND_SECONDS))
    assert np.isfinite(w.audio).all() and np.abs(w.audio).max() <= 1.0
    assert len(w.captions) == n and all(c.strip() for c in w.captions)
    assert set(np.unique(w.split)) == {0, 1, 2}
    for attribute, values in w.attributes.items():
        assert values.shape == (n,) and values.min() >= 0 and values.max() < len(w.classes[attribute])


def test_shapes_labels_are_balanced(shapes):
    for attribute, values in shapes.attributes.items():
        counts = np.bincount(values)
        assert counts.max() - counts.min() <= 1, attribute


def test_splits_are_disjoint_and_sized(shapes):
    sizes = [len(shapes.indices(s)) for s in worlds.SPLIT_NAMES]
    assert sum(sizes) == len(shapes) and sizes == [720, 240, 240]


def _test_accuracy(x, y, w):
    train, test = w.indices("train"), w.indices("test")
    model = RidgeClassifier(alpha=1.0).fit(x[train], y[train])  # linear and closed-form: a quick probe
    return model.score(x[test], y[test])


@pytest.mark.parametrize("attribute", ["shape", "colour", "size", "position"])
def test_image_carries_every_attribute(shapes, attribute):
    y = shapes.labels(attribute)
    chance = 1 / len(shapes.classes[attribute])
    assert _test_accuracy(features.image_vectors(shapes.images), y, shapes) > chance + 0.4


@pytest.mark.parametrize("attribute", ["shape", "colour", "size", "position"])
def test_caption_carries_every_attribute(shapes, attribute):
    train = shapes.indices("train")
    vectoriser = CountVectorizer(token_pattern=r"[a-z]+").fit([shapes.captions[i] for i in train])
    x = vectoriser.transform(shapes.captions)
    assert _test_accuracy(x, shapes.labels(attribute), shapes) > 0.9


@pytest.mark.parametrize("attribute", ["shape", "colour", "size"])
def test_sound_carries_its_attributes(shapes, attribute):
    x = features.sound_vectors(shapes.audio, shapes.sample_rate)
    assert _test_accuracy(x, shapes.labels(attribute), shapes) > 0.9


def test_sound_does_not_carry_position(shapes):
    """Position is only seen and read, never heard: the sound model must be near chance."""
    x = features.sound_vectors(shapes.audio, shapes.sample_rate)
    assert _test_accuracy(x, shapes.labels("position"), shapes) < 0.35


def test_digits_modalities_carry_the_digit(digits):
    y = digits.labels("digit")
    assert _test_accuracy(features.image_vectors(digits.images), y, digits) > 0.9
    assert _test_accuracy(features.sound_vectors(digits.audio, digits.sample_rate), y, digits) > 0.9


def test_dtmf_tone_has_its_row_and_column_frequencies():
    spectrum = np.abs(np.fft.rfft(worlds.dtmf_tone(5, 1.0)))
    freqs = np.fft.rfftfreq(worlds.SAMPLE_RATE, 1 / worlds.SAMPLE_RATE)
    top_two = sorted(freqs[np.argsort(spectrum)[-2:]])
    assert top_two == [770.0, 1336.0]


def test_corruption_changes_data_and_keeps_shape(shapes):
    images = worlds.corrupt_images(shapes.images[:50], noise=0.3, occlusion=0.4)
    assert images.shape == shapes.images[:50].shape and images.dtype == np.uint8
    assert np.abs(images.astype(int) - shapes.images[:50]).mean() > 10
    noisy = worlds.corrupt_audio(shapes.audio[:10], noise=0.5)
    assert noisy.dtype == np.float32 and not np.allclose(noisy, shapes.audio[:10])
    assert worlds.snr_db(0.5) == pytest.approx(0.0)
    text = worlds.corrupt_text(["a small red circle on the left"] * 20, dropout=0.5, typos=0.0)
    assert np.mean([len(c.split()) for c in text]) < 7
    assert shapes.images.flags.writeable  # corruption copies: the originals are untouched


def test_correspondence_task_needs_both_modalities(shapes):
    sound_index, label = worlds.correspondence_task(shapes)
    assert abs(label.mean() - 0.5) < 0.01
    shape = shapes.labels("shape")
    assert (shape[sound_index] == shape)[label == 1].all() and (shape[sound_index] != shape)[label == 0].all()
    # alone, the picture says nothing about the answer: each shape matches half the time
    for s in range(len(worlds.SHAPES)):
        assert abs(label[shape == s].mean() - 0.5) < 0.1
    assert (shapes.split[sound_index] == shapes.split).all()  # no sound leaks across splits


def test_synonyms_make_rare_words(shapes):
    words = " ".join(shapes.captions).split()
    assert words.count("crimson") + words.count("scarlet") > 0
    assert words.count("red") > 2 * (words.count("crimson") + words.count("scarlet"))


FINGERPRINTS = {  # pictures and captions to the byte; sounds (made with sin, which differs in its last bit
    # between CPUs and math libraries) to a millionth: |sum|, sum of squares, and a fixed ±1 projection
    "shapes": ("d3587a0d889b840a", 3793983.369846725, 1896113.2209619395, -923.4373522353239),
    "digits": ("00429fa4ba135268", 1603570.6473244494, 759538.6198569043, -444.9309104124284),
}


@pytest.mark.parametrize("name", FINGERPRINTS)
def test_the_default_worlds_are_the_ones_the_weights_were_trained_on(name):
    """The committed checkpoints were trained on these samples: a change to how a world is made (even a
    faster way to make the same one) must leave them as they were, or retrain the weights."""
    w = worlds.make_world(name, 0)
    digest, *sound = FINGERPRINTS[name]
    h = hashlib.sha256()
    for part in (w.images.tobytes(), "\n".join(w.captions).encode()):
        h.update(part)
    audio = w.audio.astype(np.float64)
    signs = np.random.default_rng(0).integers(0, 2, audio.shape[1]) * 2 - 1
    assert h.hexdigest()[:16] == digest
    assert [np.abs(audio).sum(), (audio**2).sum(), (audio @ signs).sum()] == pytest.approx(sound, rel=1e-6)
