"""Captioning: the CHAIR and exact-match arithmetic on hand-made captions, the stress sets, both
captioners' quality bar on held-out pictures, and the page with every widget."""

import numpy as np
import pytest
from presenter import press_next

from components import i18n
from models.captioning import captioners as captioning
from models.captioning import scenes
from models.core import worlds

RED_CIRCLE = {"size": "small", "colour": "red", "shape": "circle", "position": "left"}
BLUE_SQUARE = {"size": "small", "colour": "blue", "shape": "square", "position": "right"}


def words(text: str) -> list[str]:
    return text.split()


# ---------------------------------------------------------------- arithmetic on hand-made examples
def test_vocabulary_encodes_and_decodes_words():
    vocabulary = captioning.build_vocabulary(["a small red circle on the left", "a large blue square on the right"])
    ids = vocabulary.encode("a large red circle in the centre")
    assert ids[-1] == captioning.EOS and ids.count(captioning.UNK) == 2  # "in" and "centre" were never seen
    assert vocabulary.decode(vocabulary.encode("a small red circle on the left") + [captioning.PAD]) == words(
        "a small red circle on the left"
    )


def test_chair_counts_mentions_that_are_not_in_the_picture():
    scenes_ = [(RED_CIRCLE,), (RED_CIRCLE,), (RED_CIRCLE, BLUE_SQUARE), (), (RED_CIRCLE,)]
    captions = [
        words("a small red circle on the left"),  # all 4 mentions right
        words("a large red circle on the left"),  # "large": 1 of 4 hallucinated
        words("a small blue circle on the right"),  # wrong binding, but every value is in the picture
        words("a small red circle on the left"),  # a photo: all 4 hallucinated
        words("a the on"),
    ]  # names nothing: nothing to hallucinate
    assert [sum(captioning.hallucinated_words(c, s)) for c, s in zip(captions, scenes_)] == [0, 1, 0, 4, 0]
    assert captioning.hallucinated_words(captions[1], scenes_[1]) == [False, True, False, False, False, False, False]
    chair_i, chair_s = captioning.chair(captions, scenes_)
    assert chair_i == pytest.approx(5 / 16) and chair_s == pytest.approx(2 / 5)
    assert captioning.chair([], []) == (0.0, 0.0)


def test_exact_match_and_attribute_accuracy_by_hand():
    def caption(text):
        return captioning.Caption(tuple(words(text)), (1.0,) * len(words(text)))

    captions = [
        caption("a small red circle on the left"),
        caption("a small red square on the left"),
        caption("a small blue square on the right"),
        caption("a small red circle on the left"),
    ]
    scenes_ = [(RED_CIRCLE,), (RED_CIRCLE,), (RED_CIRCLE, BLUE_SQUARE), ()]
    assert [captioning.is_exact(c.words, s) for c, s in zip(captions, scenes_)] == [True, False, False, False]
    accuracy = captioning.attribute_accuracy(captions, scenes_)  # the photo has no object: left out
    assert accuracy == {"size": 1.0, "colour": 1.0, "shape": pytest.approx(2 / 3), "position": 1.0}
    scores = captioning.score(captions, scenes_)
    assert scores.exact_match == 0.25 and scores.confidence == 1.0 and scores.n == 4
    assert np.isnan(captioning.attribute_accuracy(captions[3:], scenes_[3:])["shape"])


def test_caption_words_map_back_to_attributes():
    said = captioning.described(words(scenes.canonical_caption(BLUE_SQUARE)))
    assert said == BLUE_SQUARE
    assert captioning.mentions(words("there is a tiny disc")) == []  # synonyms are not in the canonical vocabulary


# ---------------------------------------------------------------- pictures
def test_compose_paints_like_draw_shape_and_in_new_colours():
    obj = {"size": "large", "colour": "green", "shape": "star", "position": "top"}
    drawn = worlds.draw_shape("star", "green", "large", "top", rotation=0.4)
    composed = scenes.compose([obj], rotation=0.4)
    assert np.abs(drawn.astype(int) - composed).max() <= 2
    pink = scenes.compose([{**obj, "colour": "pink"}])
    inside = scenes.coverage("star", "large", "top") > 0.99
    assert np.all(pink[inside] == scenes.UNSEEN_COLOUR_RGB["pink"])
    tiny = scenes.coverage("square", "small", "left", tiny=True)
    assert 0 < tiny.sum() < scenes.coverage("square", "small", "left").sum() / 3
    assert (tiny > 0).nonzero()[1].mean() < worlds.IMAGE_SIZE / 2  # still on the left
    edited, changed = scenes.edit(RED_CIRCLE, {"colour": "pink", "shape": ""})
    assert changed == {**RED_CIRCLE, "colour": "pink"} and edited.shape == (32, 32, 3)
    upload = np.zeros((300, 500, 3), dtype=np.uint8)
    upload[:, 250:] = 255  # the right half of the central square is white
    shrunk = scenes.to_model_image(upload)
    assert shrunk.shape == (32, 32, 3) and shrunk[:, :12].max() == 0 and shrunk[:, 20:].min() == 255


@pytest.fixture(scope="module")
def world():
    return worlds.make_world("shapes", 0)


@pytest.fixture(scope="module")
def stress(world):
    return [scenes.stress_set(name, world, seed=0) for name in scenes.STRESS_SETS]


def test_stress_sets_hold_what_their_names_say(world, stress):
    sets = {s.name: s for s in stress}
    for s in stress:
        assert s.images.shape[1:] == (32, 32, 3) and s.images.dtype == np.uint8 and len(s.images) == len(s.scenes) > 0
    assert all(obj["colour"] == "pink" for (obj,) in sets["unseen_colour"].scenes)
    assert all(len(scene) == 2 and scene[0]["shape"] == scene[1]["shape"] for scene in sets["two_objects"].scenes)
    swapped = sets["swapped_positions"].scenes
    for first, second in zip(swapped[::2], swapped[1::2]):
        assert first[0]["shape"] != first[1]["shape"] and first[0]["position"] == second[1]["position"]
    assert all(scenes.is_held_out(obj) for (obj,) in sets["held_out_combination"].scenes)
    assert not any(scenes.is_held_out(obj) for (obj,) in sets["in_distribution"].scenes)
    assert sets["photos"].scenes == [()] * len(sets["photos"].images)
    assert set(scenes.split_indices(world, "test")) | set(scenes.split_indices(world, "test", held_out=True)) == set(
        world.indices("test")
    )


# ---------------------------------------------------------------- the captioners
@pytest.fixture(scope="module")
def captioners(world):
    return captioning.load_generator(), captioning.dictionary_from(world)


@pytest.fixture(scope="module")
def results(captioners, stress):
    return captioning.evaluate(*captioners, stress)


def test_generative_captioner_is_right_in_distribution_and_clearly_worse_under_stress(captioners, results):
    generator, _ = captioners
    assert generator.meta["test_exact_match"] >= 0.9  # measured by the training command on the same split
    reference = results["in_distribution"]["generative"].scores
    assert reference.exact_match >= 0.9 and reference.chair_s <= 0.1
    for name in scenes.STRESS_SETS[1:]:
        assert results[name]["generative"].scores.exact_match <= reference.exact_match - 0.15, name
    assert results["photos"]["generative"].scores.chair_i == 1.0  # no shape in a photo: every mention made up
    assert results["unseen_colour"]["generative"].scores.attributes["colour"] == 0.0
    assert results["two_objects"]["generative"].scores.chair_s <= 0.1  # an omission, not a hallucination


def test_example_based_captioner_retrieves_and_combines(captioners, results, world):
    _, dictionary = captioners
    assert results["in_distribution"]["retrieval"].scores.exact_match >= 0.9
    stored = set(dictionary.captions)
    assert all(c.text in stored for c in results["held_out_combination"]["retrieval"].captions)
    assert results["held_out_combination"]["retrieval"].scores.exact_match == 0.0  # it can only say what it stored
    picture = world.images[scenes.split_indices(world, "test")[:1]]
    retrieved, combined = (
        captioning.retrieve(dictionary, picture, k=1)[0],
        captioning.combine(dictionary, picture, k=1)[0],
    )
    assert retrieved == combined and all(p == 1.0 for p in retrieved.probabilities)  # one neighbour agrees with itself
    share = captioning.retrieve(dictionary, picture, k=4)[0].probabilities
    assert all(p in (0.25, 0.5, 0.75, 1.0) for p in share)


def test_decodings_and_per_word_probabilities(captioners, world):
    generator, _ = captioners
    pictures = world.images[scenes.split_indices(world, "test")[:40]]
    greedy = captioning.generate(generator, pictures)
    beam = captioning.generate(generator, pictures, "beam", beams=4)
    hot = captioning.generate(generator, pictures, "sampling", temperature=3.0, seed=1)
    assert captioning.generate(generator, pictures, "sampling", temperature=3.0, seed=1) == hot  # repeatable
    for caption in greedy + beam + hot:
        assert len(caption.words) == len(caption.probabilities) and all(0 < p <= 1 for p in caption.probabilities)
    mean = lambda captions: np.mean([p for c in captions for p in c.probabilities])
    assert mean(hot) < mean(greedy) - 0.05  # a hot sampler writes words the model finds unlikely
    assert sum(b.text == g.text for b, g in zip(beam, greedy)) >= 36


def test_cross_attention_per_word_over_patches(captioners, world):
    generator, _ = captioners
    found = captioning.caption_with_attention(generator, world.images[0])
    layers, heads, n_words, patches = found.cross_attention.shape
    assert (layers, heads, patches) == (captioning.LAYERS, captioning.HEADS, captioning.PATCH_GRID**2)
    assert n_words == len(found.words) > 0
    assert np.allclose(found.cross_attention.sum(-1), 1.0, atol=1e-5) and (found.cross_attention >= 0).all()
    assert found.probabilities.shape == (len(found.words),)
    assert found.words == list(captioning.generate(generator, world.images[:1])[0].words)


def test_cost_grows_with_the_dictionary_and_not_with_the_model(captioners, world):
    c = captioning.cost(*captioners, world.images[0], sizes=(100, 1000, 10000), repeats=1)
    assert c["retrieval_bytes"][0] < c["retrieval_bytes"][1] < c["retrieval_bytes"][2]
    assert len(set(c["generative_bytes"])) == 1 and c["generative_bytes"][0] < 2e6  # small, and fixed
    assert all(s > 0 for s in c["retrieval_seconds"] + c["greedy_seconds"] + c["beam_seconds"])


# ---------------------------------------------------------------- the page
PAGE = "captioning"


def text_of(at) -> str:
    return "\n".join(str(e.value) for kind in ("markdown", "caption", "info") for e in at.get(kind))


def pretrained_parts(at) -> list[str]:
    """The pretrained captioner's widgets, charts and heading on the page."""
    widgets = [w.key for kind in ("radio", "selectbox") for w in at.get(kind) if w.key.startswith(f"{PAGE}.pre_")]
    charts = [c.proto.id for c in at.get("plotly_chart") if f"-{PAGE}_pre_" in c.proto.id]
    heading = [h.value for h in at.subheader if h.value == i18n.translate(f"{PAGE}.pre_title", "en")]
    return widgets + charts + heading


def test_page_widgets_change_what_is_shown(app, world):
    other = {
        slot: next(v for v in scenes.SLOT_VALUES[slot] if v != value)  # edits that really change test picture 5
        for slot, value in world.describe(int(scenes.split_indices(world, "test")[5])).items()
    }
    at = app(PAGE)
    assert not at.exception
    assert not pretrained_parts(at)  # built-in mode: nothing of the pretrained captioner
    first = text_of(at)
    assert "a large yellow triangle on the left" in first  # the truth of test picture 0, seed 0
    steps = [
        ("captioning.sample", 5),
        ("captioning.decoding", "beam"),
        ("captioning.beams", 5),
        ("captioning.decoding", "sampling"),
        ("captioning.temperature", 3.0),
        ("captioning.k", 9),
        ("captioning.edit_colour", "pink"),
        ("captioning.edit_shape", other["shape"]),
        ("captioning.edit_size", other["size"]),
        ("captioning.edit_position", other["position"]),
        ("captioning.noise", 0.2),
        ("captioning.stress", "photos"),
        ("captioning.source", "photo"),
        ("captioning.photo", 3),
        ("captioning.source", "upload"),
    ]
    seen = [first]
    for key, value in steps:
        widget = next(
            w for kind in ("selectbox", "radio", "slider", "number_input") for w in at.get(kind) if w.key == key
        )
        widget.set_value(value).run()
        assert not at.exception, (key, [e.value for e in at.exception])
        seen.append(text_of(at))
        if key not in ("captioning.decoding", "captioning.beams", "captioning.k"):  # beam search finds greedy's caption
            assert seen[-1] != seen[-2], key  # here; k moves only the colours
    assert "pink" in seen[7] and "✗" in seen[7]  # the edited picture is pink: every colour word is wrong
    assert i18n.translate("captioning.truth_photo", "en") in seen[-2]
    assert i18n.translate("captioning.upload_hint", "en") in seen[-1]


def test_presenter_steps_walk_through(app):
    at = app(PAGE, present=True)
    for _ in range(4):
        press_next(at)
        assert not at.exception
    assert at.session_state["captioning.source"] == "photo" and at.session_state["captioning.stress"] == "photos"


# ---------------------------------------------------------------- a pretrained captioner beside ours (issue #12)
def test_spotlight_covers_any_picture_with_the_patch_grid():
    from models import hub

    photo = np.full((300, 500, 3), 200, dtype=np.uint8)
    grid = np.zeros((14, 14))
    grid[3, 10] = 1.0
    lit = hub.spotlight(photo, grid, width=448)
    assert lit.shape == (269, 448, 3) and lit.dtype == np.uint8  # the photo's shape, 448 pixels across
    brightest = np.argwhere(lit[..., 0] == lit[..., 0].max())
    rows, cols = brightest[:, 0] * 14 // 269, brightest[:, 1] * 14 // 448
    assert set(rows) == {3} and set(cols) == {10}  # only the attended patch stays bright
    assert lit[..., 0].min() < 60  # the rest is dimmed
    small = hub.spotlight(worlds.draw_shape("star", "green", "large", "top"), np.ones((4, 4)), width=128)
    assert small.shape == (128, 128, 3)  # a 32 x 32 picture is enlarged without smoothing
    assert np.array_equal(small[::4, ::4], worlds.draw_shape("star", "green", "large", "top"))


def chart_spec(at, key: str) -> dict:
    import json

    return json.loads(next(c for c in at.get("plotly_chart") if c.proto.id.endswith(f"-{PAGE}_{key}")).proto.spec)


def attention_map(at) -> np.ndarray:
    """The drawn attention grid; plotly sends a numpy array as base64 bytes with a dtype and shape."""
    import base64

    z = chart_spec(at, "pre_attention")["data"][0]["z"]
    if not isinstance(z, dict):
        return np.asarray(z)
    data = np.frombuffer(base64.b64decode(z["bdata"]), dtype=np.dtype(z["dtype"]))
    return data.reshape([int(n) for n in str(z.get("shape", len(data))).split(",")])


def pretrained_caption_text(at) -> str:
    model = "nlpconnect/vit-gpt2-image-captioning"
    return next(m.value for m in at.markdown if model in m.value and "**" in m.value)


def test_pretrained_captioner_beside_ours(pretrained_app, monkeypatch):
    import streamlit as st

    from models import hub

    import tiny_pretrained

    calls = []
    original = hub.caption
    monkeypatch.setattr(hub, "caption", lambda *args, **kwargs: calls.append(1) or original(*args, **kwargs))
    st.cache_data.clear()
    at = pretrained_app(PAGE)
    assert not at.exception, [e.value for e in at.exception]
    ours = i18n.translate(f"{PAGE}.pre_ours", "en", caption="", p=0, side=worlds.IMAGE_SIZE).split("\n")[0]
    assert ours in text_of(at)  # our captioner's caption of the same photo, beside the pretrained one
    temple = pretrained_caption_text(at)
    words = at.radio(key=f"{PAGE}.pre_word").options
    bars = chart_spec(at, "pre_words")["data"][0]
    assert len(bars["y"]) == len(words) > 1 and all(0 <= p <= 1 for p in bars["x"])
    side = tiny_pretrained.IMAGE_SIZE // tiny_pretrained.PATCH_SIZE
    first_map = attention_map(at)
    assert first_map.shape == (side, side) and np.isclose(first_map.sum(), 1.0, atol=1e-4)
    spotlight = i18n.translate(f"{PAGE}.pre_spotlight", "en", word=words[0] or "␣", where="").split("(")[0]
    assert any(spotlight in c for image in at.get("image") for c in image.captions)  # the photo under its attention
    assert calls == [1]

    at.radio(key=f"{PAGE}.pre_word").set_value(1).run()  # another word: another map
    assert not at.exception
    assert not np.allclose(attention_map(at), first_map)
    assert calls == [1]  # the caption came from the cache
    at.selectbox(key=f"{PAGE}.pre_layer").set_value(1).run()
    at.selectbox(key=f"{PAGE}.pre_head").set_value(2).run()
    assert not at.exception and at.get("plotly_chart")
    assert calls == [1]

    at.radio(key=f"{PAGE}.pre_photo").set_value("flower").run()  # another photo: another caption
    assert not at.exception and pretrained_caption_text(at) != temple and calls == [1, 1]
    at.radio(key=f"{PAGE}.pre_picture").set_value("above").run()  # the live section's 32 x 32 test picture
    assert not at.exception and calls == [1, 1, 1]
    assert attention_map(at).shape == (side, side)
    at.radio(key=f"{PAGE}.source").set_value("upload").run()  # nothing above to caption yet
    assert not at.exception and i18n.translate(f"{PAGE}.pre_above_none", "en") in text_of(at)


def test_pretrained_offline_without_a_copy_keeps_the_builtin_captioner(app, no_network, fresh_cache):
    at = app(PAGE, model_source="pretrained")
    assert not at.exception
    reason = i18n.translate("pretrained.reason.offline", "en", model="nlpconnect/vit-gpt2-image-captioning")
    assert any(reason in i.value for i in at.info)
    assert "a large yellow triangle on the left" in text_of(at)  # the built-in captioners still work
    assert chart_spec(at, "words")["data"]
    assert pretrained_parts(at) == [i18n.translate(f"{PAGE}.pre_title", "en")]  # the heading and the reason only


def test_a_caption_without_words_is_said_not_drawn(pretrained_app, monkeypatch):
    import streamlit as st

    from models import hub

    empty = hub.Caption("", [], np.zeros(0, dtype=np.float32), np.zeros((2, 4, 0, 16), dtype=np.float32))
    monkeypatch.setattr(hub, "caption", lambda *args, **kwargs: empty)
    st.cache_data.clear()
    at = pretrained_app(PAGE)
    assert not at.exception, [e.value for e in at.exception]
    assert i18n.translate(f"{PAGE}.pre_no_words", "en") in text_of(at)
    assert not [c for c in at.get("plotly_chart") if f"-{PAGE}_pre_" in c.proto.id]


def test_the_chosen_stress_set_is_outlined_in_both_metric_charts_and_fills_the_gallery(app):
    """A click on a metric bar chooses its stress set (what the bar's on_select stores; Chromium clicks
    in tests/test_browser_journeys.py): both metric charts outline it, and the gallery shows it."""
    import json

    at = app("captioning")
    for stress in (scenes.STRESS_SETS[0], "two_objects"):
        at.session_state["captioning.stress"] = stress
        at.run()
        assert not at.exception
        index = scenes.STRESS_SETS.index(stress)
        for field in ("exact_match", "chair_s"):
            [chart] = [c for c in at.get("plotly_chart") if c.proto.id.endswith(f"-captioning_{field}")]
            [band] = json.loads(chart.proto.spec)["layout"]["shapes"]
            assert band["y0"] == index - 0.5, (field, band)
        reason = i18n.translate(f"captioning.reason_{stress}", "en", pairs="")
        assert any(i.value.startswith(reason.split("{")[0][:30]) for i in at.info), stress
