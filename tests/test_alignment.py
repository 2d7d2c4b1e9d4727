"""Alignment: the numpy DTW is librosa's DTW; it recovers word boundaries of clean synthetic speech within a
stated tolerance and gets worse with noise, reordering and a wrong feature; the captioner's cross-attention
is real (recomputed from the model's own weights, rows sum to 1) and finds the object; and the page."""

import json
from pathlib import Path

import numpy as np
import pytest

from components import i18n
from models.alignment import explicit as al
from models.alignment import implicit as im
from models.captioning import captioners as captioning
from models.captioning import scenes
from models.core import worlds

from conftest import jit_modules_after_views

PAGE = "alignment"
ROOT = Path(__file__).resolve().parent.parent
CLEAN_MEAN_MS = 20.0  # mean |found - true| over every word start and end, clean recording, default settings
CLEAN_WITHIN_50_MS = 0.9  # share of boundaries found within 50 ms on clean recordings
SAME_VOICE_MEAN_MS = 10.0  # when the reader has the recording's own voice
N_CAPTIONS = 8


@pytest.fixture(scope="module")
def world():
    return worlds.make_world("shapes", 0)


@pytest.fixture(scope="module")
def captions(world):
    return al.held_out_captions(world, N_CAPTIONS)


def boundary_errors(captions, **settings) -> np.ndarray | None:
    """Every boundary error (ms) over the captions, or None if any caption had no path."""
    found = [al.align(words, al.Settings(**settings), seed=k).errors_ms for k, words in enumerate(captions)]
    return None if any(e is None for e in found) else np.concatenate(found)


# ---------------------------------------------------------------- DTW itself
def test_numpy_dtw_is_librosa_dtw_for_every_step_pattern_and_band():
    rng = np.random.default_rng(0)
    for trial in range(6):
        n, m = rng.integers(4, 40, 2)
        cost = rng.random((n, m))
        if trial % 2:
            cost = np.round(cost, 1)  # many ties: both must break them the same way
        for pattern in al.STEP_PATTERNS:
            for band in (0.0, 0.1, 0.3):
                ours, path = al.dtw(cost, pattern, band)
                try:
                    theirs, their_path = al.librosa_dtw(cost, pattern, band)
                except Exception:  # librosa raises when no path fits
                    assert path is None, (pattern, band)
                    continue
                assert np.array_equal(np.isinf(ours), np.isinf(theirs)), (pattern, band)
                assert np.allclose(ours[np.isfinite(ours)], theirs[np.isfinite(theirs)]), (pattern, band)
                assert np.array_equal(path, their_path), (pattern, band)


def test_dtw_path_is_monotonic_and_finds_a_planted_diagonal():
    cost = np.ones((30, 20))
    truth = np.round(np.linspace(0, 19, 30)).astype(int)
    cost[np.arange(30), truth] = 0.0
    accumulated, path = al.dtw(cost)
    assert accumulated[-1, -1] == 0.0
    assert (path[0] == (0, 0)).all() and (path[-1] == (29, 19)).all()
    assert (np.diff(path, axis=0) >= 0).all()
    assert (cost[path[:, 0], path[:, 1]] == 0).all()


def test_slope_pattern_and_a_narrow_band_can_leave_no_path():
    cost = np.random.default_rng(1).random((60, 20))  # one sequence three times as long
    assert al.dtw(cost, "slope")[1] is None  # at most twice as fast, locally
    assert al.dtw(cost, "symmetric1")[1] is not None
    wide, narrow = al.band_mask((60, 20), 0.5), al.band_mask((60, 20), 0.05)
    assert narrow.sum() < wide.sum() and narrow[0, 0] and narrow[-1, -1]


# ---------------------------------------------------------------- the spoken words and their true boundaries
def test_recorded_words_start_and_end_where_the_truth_says(captions):
    words = captions[0]
    recording, order = al.record(words, tempo=1.0, noise=0.0, reorder=False, seed=0)
    assert (order == np.arange(len(words))).all()
    for start, end in zip(recording.starts, recording.ends):
        a, b = int(start * al.SR), int(end * al.SR)
        assert np.abs(recording.audio[a + 100 : b - 300]).max() > 0.1  # the word sounds
        assert np.abs(recording.audio[a - 100 : a]).max() < 1e-6  # silence just before it
    faster, _ = al.record(words, tempo=2.0, noise=0.0, reorder=False, seed=0)
    assert faster.ends[-1] < 0.6 * recording.ends[-1]


def test_reordered_speech_keeps_the_truth_for_each_written_word(captions):
    words = captions[0]
    recording, order = al.record(words, tempo=1.0, noise=0.0, reorder=True, seed=0)
    assert sorted(order) == list(range(len(words))) and order[0] != 0
    assert recording.starts[order[0]] == recording.starts.min()  # the word said first starts first


def test_every_word_has_a_voice_and_synonyms_sound_alike():
    assert al.word_code("crimson") == al.word_code("red") != al.word_code("blue")
    assert al.word_code("disc") == al.word_code("circle")
    assert al.word_code("small")[1] > al.word_code("large")[1]  # big things sound low
    assert al.word_code("zebra") == al.word_code("zebra")  # any word, always the same note
    assert al.words_of("There is a tiny disc , at the (left)!") == [
        "there",
        "is",
        "a",
        "tiny",
        "disc",
        "at",
        "the",
        "left",
    ]
    assert al.words_of("红色的圆 🙂") == ["红色的圆"]


def test_chroma_is_blind_to_the_octave_and_mfcc_is_not():
    t = np.arange(al.SR // 2) / al.SR
    low, high = (worlds._tone("circle", f, t) for f in (262.0, 524.0))
    for kind, same in (("chroma", True), ("mfcc", False)):
        a, b = al.features(low, kind)[:, 5:-5], al.features(high, kind)[:, 5:-5]
        distance = al.distances(a, b, kind).mean()
        spread = al.distances(a, al.features(worlds._tone("circle", 370.0, t), kind)[:, 5:-5], kind).mean()
        assert (distance < 0.2 * spread) == same, kind


# ---------------------------------------------------------------- DTW recovers boundaries, and where it breaks
def test_clean_recordings_are_aligned_within_tolerance(captions):
    errors = boundary_errors(captions)
    print(f"clean: mean {errors.mean():.1f} ms, within 50 ms {np.mean(errors <= 50):.0%}")
    assert errors.mean() <= CLEAN_MEAN_MS
    assert np.mean(errors <= 50) >= CLEAN_WITHIN_50_MS
    assert boundary_errors(captions, voice="same").mean() <= SAME_VOICE_MEAN_MS


@pytest.mark.parametrize("feature", al.FEATURES)
def test_noise_makes_alignment_worse(captions, feature):
    clean, noisy = boundary_errors(captions, feature=feature), boundary_errors(captions, feature=feature, noise=1.0)
    print(f"{feature}: clean {clean.mean():.1f} ms, -6 dB {noisy.mean():.1f} ms")
    assert noisy.mean() > 1.4 * clean.mean()
    assert np.mean(noisy <= 50) < np.mean(clean <= 50)


def test_an_octave_higher_reader_needs_chroma(captions):
    mfcc, chroma = (
        boundary_errors(captions, voice="plain_octave"),
        boundary_errors(captions, voice="plain_octave", feature="chroma"),
    )
    print(f"octave-higher reader: mfcc {mfcc.mean():.0f} ms, chroma {chroma.mean():.0f} ms")
    assert mfcc.mean() > 100 and chroma.mean() < 50


def test_reordered_words_and_strict_steps_break_dtw(captions):
    assert boundary_errors(captions, reorder=True).mean() > 300  # a path only moves forward
    assert al.align(captions[0], al.Settings(tempo=0.5, pattern="slope")).path is None
    assert boundary_errors(captions, tempo=0.5, pattern="symmetric1") is not None
    assert boundary_errors(captions, pattern="slope").mean() <= 2 * CLEAN_MEAN_MS  # its path skips frames: still found


def test_evaluate_reports_every_feature_and_noise_level(captions):
    found = al.evaluate(captions[:2], al.Settings(), (0.0, 1.0))
    assert set(found) == {f for f in al.FEATURES} | {f"{f}_no_path" for f in al.FEATURES}
    assert all(len(v) == 2 for v in found.values())
    assert found["mfcc"][1] > found["mfcc"][0]


# ---------------------------------------------------------------- implicit: the captioner's attention
@pytest.fixture(scope="module")
def generator():
    return captioning.load_generator()


def test_patch_grid_matches_the_captioner():
    assert im.PATCH == captioning.PATCH_SIZE and im.GRID == captioning.PATCH_GRID


def test_attention_rows_are_distributions_over_the_patches(world, generator):
    image = world.images[scenes.split_indices(world, "test")[0]]
    found = captioning.caption_with_attention(generator, image)
    layers, heads = generator.model.config.decoder.n_layer, generator.model.config.decoder.n_head
    assert found.cross_attention.shape == (layers, heads, len(found.words), im.GRID**2)
    assert np.allclose(found.cross_attention.sum(-1), 1.0, atol=1e-5) and (found.cross_attention >= 0).all()
    view = im.attention_view(found.cross_attention, None, None)
    assert view.shape == (len(found.words), im.GRID**2) and np.allclose(view.sum(-1), 1.0, atol=1e-5)
    assert np.allclose(im.attention_view(found.cross_attention, 1, 2), found.cross_attention[1, 2])
    forced = im.teacher_forced_attention(generator, image[None], [" ".join(found.words)])[0]
    assert np.allclose(forced, found.cross_attention, atol=1e-5)  # the same attention, read in one pass


def test_attention_is_recomputed_from_the_models_own_weights(world, generator):
    """Not a stand-in: capture what the first cross-attention layer receives, redo softmax(q k^T / sqrt(d))
    with its own projection weights, and get the page's numbers back."""
    import torch

    image = world.images[scenes.split_indices(world, "test")[1]]
    found = captioning.caption_with_attention(generator, image)
    layer = generator.model.decoder.transformer.h[0].crossattention
    seen = {}
    hook = layer.register_forward_pre_hook(
        lambda module, args, kwargs: seen.update(hidden=args[0], kwargs=kwargs), with_kwargs=True
    )
    try:
        im.teacher_forced_attention(generator, image[None], [" ".join(found.words)])
    finally:
        hook.remove()
    with torch.no_grad():
        query = layer.q_attn(seen["hidden"])  # (1, words, width)
        key = layer.c_attn(seen["kwargs"]["encoder_hidden_states"]).split(layer.split_size, dim=2)[
            0
        ]  # (1, 1 + patches, width)
        heads = lambda x: x.view(*x.shape[:-1], layer.num_heads, layer.head_dim).transpose(1, 2)
        weights = torch.softmax(heads(query) @ heads(key).transpose(-1, -2) / layer.head_dim**0.5, dim=-1)[0, :, :, 1:]
    by_hand = (weights / weights.sum(-1, keepdim=True)).numpy()
    assert np.allclose(by_hand, found.cross_attention[0], atol=1e-5)
    other = captioning.caption_with_attention(generator, world.images[scenes.split_indices(world, "test")[2]])
    assert not np.allclose(other.cross_attention[0, :, :1], found.cross_attention[0, :, :1])  # depends on the picture


def test_content_words_attend_to_the_object_function_words_do_not(world, generator):
    """Implicit alignment really happens: over the test split, the colour word's attention sits on the object."""
    slots = im.attention_by_slot(generator, world, scenes.split_indices(world, "test"))
    share, chance = im.attention_view(slots["share"], None, None), float(slots["chance"])
    words = list(slots["words"])
    colour, article = share[2], share[words.index("the")]
    print(f"colour word {colour:.0%}, 'the' {article:.0%}, chance {chance:.0%}")
    assert colour > 2.5 * chance and colour > article + 0.3


def test_object_coverage_and_spotlight(world):
    index = scenes.split_indices(world, "test")[0]
    coverage = im.object_coverages(world.images[index], [world.describe(index)])[0]
    assert coverage.shape == (im.GRID**2,) and 0 < (coverage >= im.OBJECT_PATCH).sum() < im.GRID**2
    weights = np.eye(im.GRID**2)[int(np.argmax(coverage))]
    assert im.on_object(weights[None], coverage)[0] == 1.0
    lit = im.spotlight(world.images[index], weights, 2)
    assert lit.shape == (64, 64, 3) and lit.dtype == np.uint8


def test_two_objects_are_told_apart_by_colour():
    image, scene = im.two_objects({"shape": "circle", "colour": "red", "size": "small", "position": "centre"})
    first, other = scene
    assert image.shape == (32, 32, 3) and first["shape"] != other["shape"] and first["colour"] != other["colour"]
    assert {first["position"], other["position"]} in ({"left", "right"}, {"top", "bottom"})
    coverages = im.object_coverages(image, scene)
    for found, obj in zip(coverages, scene):
        drawn = scenes.coverage(obj["shape"], obj["size"], obj["position"])
        truth = drawn.reshape(im.GRID, im.PATCH, im.GRID, im.PATCH).mean(axis=(1, 3)).ravel()
        assert np.abs(found - truth).max() < 0.15


def test_coordinated_model_finds_the_word_where_the_object_is(world):
    from models import representation

    model = representation.load("shapes", representation.DEFAULT_STRENGTH)
    obj = {"shape": "square", "colour": "blue", "size": "large", "position": "left"}
    image, (blue, other) = im.two_objects(obj)
    for word, target in (("blue", blue), (other["colour"], other)):
        _, drop = im.word_region_similarity(model, image, word)
        patch = scenes.coverage(target["shape"], target["size"], target["position"])
        inside = patch.reshape(im.GRID, im.PATCH, im.GRID, im.PATCH).mean(axis=(1, 3)).ravel() >= im.OBJECT_PATCH
        assert inside[int(np.argmax(drop))], word  # hiding the named object hurts most


# ---------------------------------------------------------------- the page
def test_page_needs_no_librosa_or_numba(tmp_path):
    """Fresh server, empty numba cache: no view of the page imports (let alone compiles) librosa."""
    assert jit_modules_after_views(PAGE, f"{PAGE}.view", ("implicit", "both"), tmp_path) == set()


def assert_clean(at) -> None:
    assert not at.exception, [e.value for e in at.exception]


def captions_of(at) -> str:
    return "\n".join(c.value for c in at.caption)


def figure(at, key: str) -> dict:
    chart = next(c for c in at.get("plotly_chart") if c.proto.id.endswith(f"-{PAGE}_{key}"))
    return json.loads(chart.proto.spec)


def metric(at, name: str) -> str:
    return next(m.value for m in at.metric if m.label == i18n.translate(f"{PAGE}.{name}", "en", ms=50))


def test_every_explicit_control_changes_the_alignment(app):
    at = app(PAGE)
    assert_clean(at)
    before = metric(at, "metric_mean")
    assert int(before.split()[0]) <= CLEAN_MEAN_MS
    seen = {before}
    for key, value in (
        ("noise", 1.0),
        ("feature", "chroma"),
        ("voice", "same"),
        ("tempo", 1.5),
        ("pattern", "symmetric2"),
        ("band", 0.2),
        ("reorder", True),
    ):
        widget = next(
            w for kind in ("radio", "selectbox", "slider", "toggle") for w in at.get(kind) if w.key == f"{PAGE}.{key}"
        )
        widget.set_value(value).run()
        assert_clean(at)
        seen.add(metric(at, "metric_mean") + captions_of(at) + json.dumps(figure(at, "matrix")["data"][0]["z"]))
    assert len(seen) == 8  # every change changed what the page says
    assert int(metric(at, "metric_mean").split()[0]) > 300  # reordered words: DTW cannot follow
    at.number_input(key=f"{PAGE}.sample").set_value(3).run()
    assert_clean(at)


def test_no_path_is_explained_and_typed_sentences_are_spoken(app):
    at = app(PAGE)
    next(b for b in at.button if b.key == f"{PAGE}.example_no_path").click().run()
    assert_clean(at)
    assert at.session_state[f"{PAGE}.pattern"] == "slope" and at.session_state[f"{PAGE}.tempo"] == 0.5
    assert i18n.translate(f"{PAGE}.no_path", "en") in captions_of(at)
    at.radio(key=f"{PAGE}.source").set_value("typed").run()
    at.text_input(key=f"{PAGE}.text").input("zebras eat grass").run()
    next(b for b in at.button if b.key == f"{PAGE}.example_clean").click().run()
    assert_clean(at)
    assert "**zebras eat grass**" in "\n".join(m.value for m in at.markdown)
    path = figure(at, "matrix")["data"][1]
    assert path["mode"] == "lines"
    at.text_input(key=f"{PAGE}.text").input("🙂 !!").run()
    assert_clean(at)
    assert any(i18n.translate(f"{PAGE}.text_hint", "en") == i.value for i in at.info)


def test_measuring_the_test_split_and_checking_against_librosa(app):
    at = app(PAGE)
    next(b for b in at.button if b.key == f"{PAGE}.librosa").click().run()
    assert_clean(at)
    assert any(m.value.startswith("librosa finds the same path") for m in at.markdown)
    next(b for b in at.button if b.key == f"{PAGE}.measure").click().run()
    assert_clean(at)
    curves = {trace["name"]: trace["y"] for trace in figure(at, "measure")["data"]}
    assert set(curves) == {i18n.translate(f"{PAGE}.feature_{f}", "en") for f in al.FEATURES}
    clean, noisy = curves["MFCC"][0], curves["MFCC"][-1]
    assert clean <= CLEAN_MEAN_MS < noisy


def test_implicit_view_shows_attention_from_the_model(app):
    at = app(PAGE, **{f"{PAGE}.view": "implicit"})
    assert_clean(at)
    heatmap = figure(at, "attention")["data"][0]
    assert heatmap["type"] == "heatmap" and len(heatmap["x"]) == im.GRID**2
    summaries = captions_of(at)
    at.selectbox(key=f"{PAGE}.layer").set_value(1).run()
    at.selectbox(key=f"{PAGE}.head").set_value(2).run()
    assert_clean(at)
    assert captions_of(at) != summaries
    at.toggle(key=f"{PAGE}.two").set_value(True).run()
    assert_clean(at)
    at.text_input(key=f"{PAGE}.word").input("circle").run()
    assert_clean(at)
    assert "“circle”" in captions_of(at)


def test_side_by_side_and_presenter_steps(app):
    at = app(PAGE, present=True)
    assert_clean(at)
    nxt = lambda: next(b for b in at.button if b.label == i18n.translate("common.next", "en"))
    for _ in range(4):
        nxt().click().run()
        assert_clean(at)
    assert at.session_state[f"{PAGE}.view"] == "both"
    assert any("| --- |" in m.value for m in at.markdown)  # the word table: DTW's time span and attention per word


# ---------------------------------------------------------------- pretrained mode: CLIP (tiny random-weight models)
def implicit(open_page, **state):
    return open_page(PAGE, **{f"{PAGE}.view": "implicit", **state})


def clip_grid(at) -> np.ndarray | None:
    import base64

    charts = [c for c in at.get("plotly_chart") if c.proto.id.endswith(f"-{PAGE}_clip_map")]
    if not charts:
        return None
    z = json.loads(charts[0].proto.spec)["data"][0]["z"]
    if isinstance(z, dict):  # Plotly's base64 typed array
        return np.frombuffer(base64.b64decode(z["bdata"]), dtype=z["dtype"]).reshape(
            [int(n) for n in str(z["shape"]).split(",")]
        )
    return np.asarray(z)


def test_pretrained_word_to_region_map_follows_the_photo_and_the_word(pretrained_app):
    at = implicit(pretrained_app)
    assert_clean(at)
    temple = clip_grid(at)
    assert temple.shape == (4, 4)  # the tiny CLIP: 32-pixel input, 8-pixel patches
    assert i18n.translate(f"{PAGE}.clip_approximation", "en") in captions_of(at)
    assert figure(at, "region") is not None  # the built-in coordinated view is still there
    next(b for b in at.button if b.key == f"{PAGE}.clip_example_water").click().run()
    assert_clean(at)
    assert at.session_state[f"{PAGE}.clip_word"] == "water" and not np.allclose(clip_grid(at), temple)
    assert "“water”" in captions_of(at)
    at.radio(key=f"{PAGE}.clip_photo").set_value("flower").run()
    assert_clean(at)
    flower = clip_grid(at)
    at.text_input(key=f"{PAGE}.clip_word").input("dahlia").run()
    assert_clean(at)
    assert not np.allclose(clip_grid(at), flower)


@pytest.mark.parametrize(
    "typed, message",
    [
        ("", "input.text_empty"),
        ("x" * 1_000_000, "input.text_truncated"),
        ("tree\x00\x1b\u202e", "input.text_controls_removed"),
    ],
    ids=["empty", "1MB", "control_characters"],
)
def test_pretrained_bad_words_are_explained(pretrained_app, typed, message):
    at = implicit(pretrained_app)
    at.text_input(key=f"{PAGE}.clip_word").input(typed).run()
    assert_clean(at)
    shown = "\n".join(m.value for kind in ("info", "warning") for m in getattr(at, kind))
    assert i18n.translate(message, "en", max_chars=60) in shown
    assert (clip_grid(at) is None) == (message == "input.text_empty")


def test_pretrained_offline_without_a_copy_keeps_the_builtin_view(app, no_network, fresh_cache):
    at = implicit(app, model_source="pretrained")
    assert_clean(at)
    assert any(i18n.translate("pretrained.fallback", "en") in i.value for i in at.info)
    assert clip_grid(at) is None and figure(at, "region") is not None


def test_builtin_mode_and_other_views_show_no_pretrained_element(app, pretrained_app):
    at = implicit(app)
    assert_clean(at)
    assert clip_grid(at) is None and not any(b.key.startswith(f"{PAGE}.clip_") for b in at.button if b.key)
    assert all(r.key != f"{PAGE}.clip_photo" for r in at.radio)
    at = pretrained_app(PAGE)  # the explicit view: no CLIP there, so nothing is loaded
    assert_clean(at)
    assert clip_grid(at) is None and not any("clip-vit" in c.value for c in at.caption)
