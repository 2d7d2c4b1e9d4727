"""Teach it yourself: the visitor's own photo + sound classes, the fusion models trained on them, the
missing-modality switch, the zip out and in, and the limits on what a session holds."""

from __future__ import annotations

import io
import json
import zipfile

import numpy as np
import pytest
import soundfile as sf
from PIL import Image

from components.i18n import translate
from models import teach

PAGE = "teach"


@pytest.fixture(scope="module")
def taught():
    examples = teach.generated(4, seed=1)  # 8 pairs per class; each colour and each pitch shared by two classes
    return examples, teach.train(examples, 4)


def held_out(examples: teach.Examples, taught: teach.Taught) -> teach.Examples:
    rows = taught.test_rows
    return teach.Examples(examples.pictures[rows], examples.sounds[rows], examples.labels[rows])


# ---------------------------------------------------------------- models/teach.py
def test_every_model_learns_the_classes_above_chance():
    result = teach.train(teach.generated(2, seed=3), 2)
    assert len(result.test_rows) == 4  # a quarter of each class
    for name in teach.SHOWN:
        assert result.scores[name] > 0.5, (name, result.scores)


def test_on_the_stand_ins_only_the_two_modalities_together_tell_four_classes_apart(taught):
    """The generated stand-ins share each colour and each pitch between two classes: one modality alone
    tells at most two groups apart (about half right), the two together all four."""
    _, result = taught
    assert result.scores["early"] >= 0.875, result.scores
    assert result.scores["image"] <= 0.75 and result.scores["sound"] <= 0.75, result.scores


def test_covering_a_modality_leaves_late_fusion_with_the_other_vote_and_changes_early_fusion(taught):
    """What the page says: late fusion repeats the remaining model; early fusion, given the training
    mean of the missing features, answers differently (with other probabilities)."""
    examples, result = taught
    held = held_out(examples, result)
    full = teach.predict(result, held)
    for gone, kept in (("image", "sound"), ("sound", "image")):
        covered = teach.predict(result, held, frozenset({gone}))
        assert gone not in covered
        np.testing.assert_allclose(covered["late_average"], covered[kept], rtol=1e-5)
        assert not np.allclose(covered["early"], full["early"], atol=1e-3)


def test_training_never_touches_the_shared_demo_models(taught):
    examples, result = taught
    before = {k: v.clone() for k, v in result.lab.models["early"].state_dict().items()}
    teach.train(examples.add(examples.pictures[0], examples.sounds[0], 0), 4, seed=2)
    after = result.lab.models["early"].state_dict()
    assert all(np.array_equal(before[k], after[k]) for k in before)


def test_too_few_examples_is_refused():
    with pytest.raises(ValueError):
        teach.train(teach.generated(2, per_class=2), 2)


def test_recordings_become_the_fixed_size_inputs():
    photo = np.zeros((480, 640, 3), np.uint8)
    photo[:, 80:560] = (255, 0, 0)  # a red square in the middle of a wide frame
    assert teach.picture(photo).shape == (32, 32, 3) and (teach.picture(photo)[..., 0] == 255).all()
    late = np.zeros(3 * teach.SAMPLE_RATE, np.float32)
    late[2 * teach.SAMPLE_RATE :] = 0.5  # the sound starts two seconds in: the clip starts there
    clip = teach.sound(late)
    assert clip.shape == (teach.LENGTH,) and clip.dtype == np.int16 and clip[0] > 16000
    assert not teach.sound(np.array([np.nan, np.inf], np.float32)).any()


def test_a_session_stays_under_its_stated_size():
    full = teach.generated(teach.MAX_CLASSES, per_class=teach.MAX_PER_CLASS)
    models = teach.train(full, teach.MAX_CLASSES)
    weights = sum(p.numel() * 4 for m in models.lab.models.values() for p in m.parameters())
    assert full.nbytes + weights <= teach.MAX_BYTES, (full.nbytes, weights, teach.MAX_BYTES)


def test_the_zip_round_trips(taught):
    examples, result = taught
    data = teach.to_zip(examples, ["clap", "wave", "说话", "👍"], result)
    loaded, names, again = teach.from_zip(data)
    assert names == ["clap", "wave", "说话", "👍"]
    assert np.array_equal(loaded.pictures, examples.pictures) and np.array_equal(loaded.sounds, examples.sounds)
    assert again.scores == result.scores and again.trained_on == result.trained_on
    held = held_out(examples, result)
    for name, probs in teach.predict(result, held).items():
        np.testing.assert_allclose(teach.predict(again, held)[name], probs, rtol=1e-5)
    untrained = teach.from_zip(teach.to_zip(examples, ["a", "b", "c", "d"], None))
    assert untrained[2] is None


def zip_of(**members: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name.replace("_", "."), data)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "key"),
    [
        ("not a zip", b"PK\x03\x04 not really", "teach.zip_broken"),
        ("empty", b"", "teach.zip_broken"),
        ("a foreign zip", zip_of(readme_txt=b"hello"), "teach.zip_foreign"),
        ("another version", zip_of(playground_json=b'{"version": 99}', examples_npz=b""), "teach.zip_version"),
        ("bad json", zip_of(playground_json=b"{", examples_npz=b""), "teach.zip_broken"),
        (
            "one class",
            zip_of(playground_json=b'{"version": 1, "classes": ["a"]}', examples_npz=b""),
            "teach.zip_broken",
        ),
    ],
)
def test_a_broken_or_foreign_zip_gets_its_message(name, data, key):
    with pytest.raises(teach.BadZip) as caught:
        teach.from_zip(data)
    assert caught.value.key == key, name
    assert "⟦" not in translate(key, "en")


def test_a_zip_with_wrong_shapes_or_a_pickle_is_refused(taught):
    examples, result = taught
    good = zipfile.ZipFile(io.BytesIO(teach.to_zip(examples, ["a", "b", "c", "d"], result)))
    members = {name: good.read(name) for name in good.namelist()}
    arrays = io.BytesIO()
    np.savez(arrays, pictures=examples.pictures[:, :16], sounds=examples.sounds, labels=examples.labels)
    for change in (
        {"examples.npz": arrays.getvalue()},
        {"scores.json": json.dumps({"scores": {}, "trained_on": 1}).encode()},
    ):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            for name, data in {**members, **change}.items():
                archive.writestr(name, data)
        with pytest.raises(teach.BadZip):
            teach.from_zip(out.getvalue())
    pickled = io.BytesIO()
    np.save(pickled, np.array([object()], dtype=object), allow_pickle=True)
    with pytest.raises(teach.BadZip):
        teach.from_zip(
            zip_of(
                playground_json=json.dumps({"version": 1, "classes": ["a", "b"]}).encode(),
                examples_npz=pickled.getvalue(),
            )
        )


# ---------------------------------------------------------------- the page, as a student uses it
def jpeg(colour: tuple[int, int, int], seed: int) -> bytes:
    rng = np.random.default_rng(seed)
    pixels = np.clip(np.array(colour) + rng.normal(0, 20, (120, 160, 3)), 0, 255).astype(np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format="JPEG")
    return out.getvalue()


def wav(pitch: float, seed: int) -> bytes:
    rng = np.random.default_rng(seed)
    t = np.arange(int(0.8 * teach.SAMPLE_RATE)) / teach.SAMPLE_RATE
    samples = 0.5 * np.sin(2 * np.pi * pitch * rng.uniform(0.98, 1.02) * t) + rng.normal(0, 0.003, len(t))
    out = io.BytesIO()
    sf.write(out, samples.astype(np.float32), teach.SAMPLE_RATE, format="WAV", subtype="PCM_16")
    return out.getvalue()


def widget(at, kind: str, key: str):
    return next(w for w in at.get(kind) if getattr(w, "key", None) == key)


def button(at, text: str):
    return next(b for b in at.button if b.label == text)


def test_a_student_records_two_classes_trains_and_covers_the_camera(app):
    at = app(PAGE)
    assert not at.exception, [e.value for e in at.exception]
    assert any("teach_scores" in c.proto.id for c in at.get("plotly_chart")), "the page opens trained on stand-ins"
    at.slider(key="teach.classes").set_value(2).run()
    at.text_input(key="teach.name_0").input("red").run()
    at.text_input(key="teach.name_1").input("blue").run()
    colours, pitches = ((220, 40, 40), (40, 60, 220)), (330.0, 660.0)
    for label in range(2):
        at.radio(key="teach.for").set_value(label).run()
        for i in range(4):
            widget(at, "camera_input", "teach.camera").set_value(("photo.jpg", jpeg(colours[label], i), "image/jpeg"))
            widget(at, "audio_input", "teach.sound.mic").set_value(("sound.wav", wav(pitches[label], i), "audio/wav"))
            at.run()
            button(at, translate("teach.add", "en", name=("red", "blue")[label])).click().run()
            assert not at.exception, [e.value for e in at.exception]
    assert [m.value for m in at.metric] == [translate("teach.count", "en", n=4)] * 2
    button(at, translate("teach.train", "en")).click().run()
    assert not at.exception, [e.value for e in at.exception]
    taught = at.session_state["teach.taught"]
    assert taught.trained_on == 8 and taught.classes == 2
    assert all(taught.scores[name] > 0.5 for name in teach.SHOWN), taught.scores
    # the pair still in the camera and microphone is tried live, and the page says it is one of the examples
    assert translate("teach.live_added", "en") in [c.value for c in at.caption]
    # cover the camera
    at.toggle(key="teach.cover_image").set_value(True).run()
    assert not at.exception
    result = next(m.value for m in at.markdown if m.value.startswith("Without the picture"))
    assert "**Late fusion** answers “blue”" in result  # the last pair recorded was blue: its sound still says so


def test_the_same_pair_is_not_added_twice_and_forget_empties_everything(app):
    at = app(PAGE)
    widget(at, "camera_input", "teach.camera").set_value(("photo.jpg", jpeg((200, 200, 0), 0), "image/jpeg"))
    widget(at, "audio_input", "teach.sound.mic").set_value(("sound.wav", wav(440.0, 0), "audio/wav"))
    at.run()
    add = translate("teach.add", "en", name=translate("teach.default_class_0", "en"))
    button(at, add).click().run()
    assert at.session_state["teach.examples"].counts(3) == [1, 0, 0]  # the stand-ins are replaced
    assert button(at, add).disabled
    button(at, translate("teach.forget", "en")).click().run()
    assert len(at.session_state["teach.examples"].labels) == 0 and at.session_state["teach.taught"] is None
    assert not at.exception


def test_a_zip_loads_back_into_the_page_and_a_bad_one_says_so(app, taught):
    examples, result = taught
    at = app(PAGE)
    widget(at, "file_uploader", "teach.zip").set_value(
        ("mine.zip", teach.to_zip(examples, ["w", "x", "y", "z"], result), "application/zip")
    )
    at.run()
    assert not at.exception and at.session_state["teach.name_3"] == "z" and at.session_state["teach.classes"] == 4
    assert at.session_state["teach.taught"].scores == result.scores
    widget(at, "file_uploader", "teach.zip").set_value(("other.zip", b"not a zip", "application/zip"))
    at.run()
    assert not at.exception and translate("teach.zip_broken", "en") in [e.value for e in at.error]


@pytest.mark.parametrize("language", ["zh-Hans", "zh-Hant"])
def test_the_page_and_its_steps_in_chinese(app, language):
    at = app(PAGE, lang=language, present=True)
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == translate("teach.title", language)
    nxt = next(b for b in at.button if b.label == translate("common.next", language))
    nxt.click().run()
    assert at.session_state["teach.cover_image"] is True and not at.exception
