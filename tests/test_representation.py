"""Representation: joint vs coordinated spaces really differ the way the page says, on the test split."""

import json

import numpy as np
import pytest
import torch
from presenter import press_next

from components import i18n
from models import representation as rep
from models.core import checkpoints, worlds

PAGE = "representation"


# ---------------------------------------------------------------- the split and the measures
def test_held_out_combinations_are_never_trained_on_but_are_tested():
    world = worlds.make_world("shapes", 0, n=300)
    train, held_out = rep.training_indices(world), rep.held_out_mask(world)
    assert not held_out[train].any()
    assert held_out[world.indices("test")].any()
    trained = {(s, c) for s, c in zip(world.labels("shape")[train], world.labels("colour")[train])}
    assert len(trained) == len(worlds.SHAPES) * len(worlds.COLOURS) - len(rep.HELD_OUT["shapes"])


def test_info_nce_is_low_for_matched_pairs_and_log_batch_for_random_ones():
    generator = torch.Generator().manual_seed(0)
    a = torch.nn.functional.normalize(torch.randn(32, 16, generator=generator), dim=1)
    assert rep.info_nce(a, a) < 0.1
    assert rep.info_nce(a, a.roll(1, dims=0)) > 5.0
    flat = torch.nn.functional.normalize(torch.ones(32, 16), dim=1)  # every pair equally similar
    assert rep.info_nce(flat, flat).item() == pytest.approx(np.log(32), rel=1e-4)


def test_recall_and_its_chance_level():
    relevant = np.eye(4, dtype=bool)
    assert rep.recall_at_k(np.eye(4), relevant, 1) == 1.0
    assert rep.recall_at_k(-np.eye(4), relevant, 1) == 0.0
    assert rep.recall_at_k(-np.eye(4), relevant, 4) == 1.0
    assert rep.chance_recall(relevant, 1) == pytest.approx(0.25)
    assert rep.chance_recall(relevant, 2) == pytest.approx(0.5)
    two_relevant = np.array([[True, True, False, False]])
    assert rep.chance_recall(two_relevant, 1) == pytest.approx(0.5)


def test_same_object_ignores_what_a_sound_cannot_tell():
    world = worlds.make_world("shapes", 0, n=300)
    rows = np.arange(len(world))
    seen, heard = rep.same_object(world, rows), rep.same_object(world, rows, "sound")
    assert (heard | ~seen).all() and (heard & ~seen).any()  # position differs, the sound is the same
    assert np.diag(seen).all()


def test_projection_shapes():
    vectors = np.random.default_rng(0).standard_normal((60, rep.EMBED_DIM)).astype(np.float32)
    assert rep.project(vectors, "pca", 3).shape == (60, 3)
    assert rep.project(vectors, "tsne", 2).shape == (60, 2)


# ---------------------------------------------------------------- learning
def test_training_pulls_a_samples_modalities_together():
    """A few epochs of the constraint alone, on a small world: the loss falls and paired vectors align."""
    data = rep.prepare(worlds.make_world("shapes", 1, n=300))
    test = data.world.indices("test")
    inputs = {m: x[test] for m, x in data.inputs.items()}
    untrained = rep.CoordinatedNet("shapes", len(data.dictionary.vocabulary_))
    before = rep.paired_cosine(rep.modality_embeddings(rep.Model(untrained.eval(), data.dictionary, 1.0, {}), inputs))
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # batches this small run faster on one thread, and far faster on a busy machine
    try:
        net, losses = rep.train_coordinated(data, 1.0, epochs=20)
    finally:
        torch.set_num_threads(threads)
    after = rep.paired_cosine(rep.modality_embeddings(rep.Model(net, data.dictionary, 1.0, {}), inputs))
    assert losses[-1] < 0.6 * losses[0]
    assert after > before + 0.3


# ---------------------------------------------------------------- the committed models, on the test split
@pytest.fixture(scope="module")
def shapes():
    world = worlds.make_world("shapes", 0)
    dictionary = rep.load("shapes", None).dictionary
    return world, {
        split: rep.world_inputs(world, dictionary, rows)
        for split, rows in (("train", rep.training_indices(world)), ("test", world.indices("test")))
    }


@pytest.fixture(scope="module")
def reports(shapes):
    world, inputs = shapes
    out = {}
    for strength in rep.STRENGTHS:
        model = rep.load("shapes", strength)
        out[strength] = rep.headline(model, world, rep.modality_embeddings(model, inputs["test"]))
    return out


@pytest.mark.parametrize("world_name", worlds.WORLD_NAMES)
def test_weights_are_committed_and_small(world_name):
    for strength in (None, *rep.STRENGTHS):
        name = rep.name(world_name, strength)
        assert checkpoints.read(name) is not None, f"{name}: run python -m models.train {name}"
        assert checkpoints.path(name).stat().st_size < 400_000


def test_alignment_grows_monotonically_with_the_constraint_weight(reports):
    cosines = [reports[s]["paired_cosine"] for s in rep.STRENGTHS]
    assert all(b > a + 0.02 for a, b in zip(cosines, cosines[1:])), cosines
    assert abs(cosines[0]) < 0.1 and cosines[-1] > 0.7


def test_coordinated_retrieval_is_far_above_chance(shapes, reports):
    world, inputs = shapes
    model = rep.load("shapes", rep.DEFAULT_STRENGTH)
    vectors = rep.modality_embeddings(model, inputs["test"])
    for query, gallery in rep.RETRIEVALS:
        recall = rep.retrieval(world, vectors, query, gallery)
        assert recall["r1"] > 0.75 and recall["r1"] > 10 * recall["chance_r1"], (query, gallery, recall)
        assert recall["r5"] >= recall["r1"]
    assert reports[0.0]["text_to_image_r1"] < 0.05  # no constraint, no shared space: retrieval fails


def test_held_out_combinations_are_recognised_zero_shot(reports):
    chance = 1 / len(rep.descriptions("shapes")[0])
    assert reports[rep.DEFAULT_STRENGTH]["zero_shot"] > 8 * chance
    assert reports[rep.STRENGTHS[-1]]["zero_shot"] > 12 * chance
    assert reports[0.0]["zero_shot"] < 3 * chance
    assert reports[rep.DEFAULT_STRENGTH]["zero_shot_seen"] > reports[rep.DEFAULT_STRENGTH]["zero_shot"]


def test_missing_modality_hurts_the_joint_model_more(shapes):
    world, inputs = shapes
    accuracy = {
        kind: rep.missing_modality(rep.load("shapes", kind), world, inputs["train"], inputs["test"], "shape")
        for kind in (None, rep.DEFAULT_STRENGTH)
    }
    joint, coordinated = accuracy[None], accuracy[rep.DEFAULT_STRENGTH]
    assert joint[rep.MODALITIES] > 0.9 and coordinated[rep.MODALITIES] > 0.9
    degraded = rep.SCENARIOS[1:]
    assert np.mean([coordinated[p] for p in degraded]) > np.mean([joint[p] for p in degraded]) + 0.05
    assert coordinated[("image",)] > joint[("image",)] + 0.2


def test_public_embedding_functions_give_unit_vectors_and_word_to_image_similarity():
    world = worlds.make_world("shapes", 2, n=240)
    model = rep.load("shapes", rep.DEFAULT_STRENGTH)
    images, words = rep.embed_images(model, world.images), rep.embed_texts(model, ["purple", "star"])
    sounds = rep.embed_sounds(model, world.audio[:5], world.sample_rate)
    for vectors in (images, words, sounds):
        assert vectors.shape[1] == rep.EMBED_DIM and np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
    purple = world.labels("colour") == worlds.COLOURS.index("purple")
    to_purple = rep.similarity(words[:1], images)[0]
    assert to_purple[purple].mean() > to_purple[~purple].mean() + 0.2


# ---------------------------------------------------------------- the page
def captions(at) -> str:
    return "\n".join(c.value for c in at.caption)


def test_page_widgets_change_what_is_shown(app):
    at = app(PAGE)
    assert not at.exception, [e.value for e in at.exception]
    first = captions(at)
    assert "0.77" in first or "Mean cosine" in first
    at.select_slider(key=f"{PAGE}.strength").set_value(0.0).run()
    weak = captions(at)
    assert weak != first and not at.exception
    at.selectbox(key=f"{PAGE}.attribute").set_value("colour").run()
    assert "same colour" in captions(at)
    at.radio(key=f"{PAGE}.dims").set_value(3).run()
    at.radio(key=f"{PAGE}.projection").set_value("tsne").run()
    assert not at.exception, [e.value for e in at.exception]
    before = [m.value for m in at.markdown if "Nearest test captions" in m.value]
    at.number_input(key=f"{PAGE}.sample").set_value(5).run()
    assert [m.value for m in at.markdown if "Nearest test captions" in m.value] != before
    assert dict(at.query_params).get(f"{PAGE}.strength") == "0.0"


def test_typed_captions_and_unknown_words(app):
    at = app(PAGE)
    at.text_input(key=f"{PAGE}.caption").set_value("a violet pentagon").run()
    assert any("pentagon" in w.value for w in at.warning)
    at.text_input(key=f"{PAGE}.caption").set_value("一颗紫色的星星").run()
    assert at.info and not at.exception
    example = next(b for b in at.button if b.label == "a big blue square on the left")
    example.click().run()
    assert at.session_state[f"{PAGE}.caption"] == "a big blue square on the left"
    assert "large blue square" in captions(at)


def test_zero_shot_tab_is_in_the_link(app):
    at = app(PAGE, **{f"{PAGE}.tab": "zero_shot"})
    assert not at.exception
    assert [m.label for m in at.metric][-3:] == ["Unseen combinations", "Seen combinations", "Chance (1 of 24)"]
    assert at.query_params[f"{PAGE}.tab"] == "zero_shot"  # the open tab is in the link


def test_a_shared_link_opens_its_tab_in_any_language():
    from streamlit.testing.v1 import AppTest

    from conftest import APP

    at = AppTest.from_file(APP, default_timeout=120)
    at.switch_page(f"lessons/{PAGE}.py")
    at.query_params.update({f"{PAGE}.tab": "zero_shot", "lang": "zh-Hans"})
    at.run()
    assert not at.exception
    assert at.session_state[f"{PAGE}.tab_label"] == i18n.translate(f"{PAGE}.tab_zero_shot", "zh-Hans")
    assert [m.label for m in at.metric][-3:][0] == i18n.translate(f"{PAGE}.zero_shot_unseen", "zh-Hans")


def test_digits_world_and_presenter_steps(app):
    at = app(PAGE, world="digits")
    assert not at.exception, [e.value for e in at.exception]
    at.session_state[f"{PAGE}.tab"] = "zero_shot"
    at.run()
    assert any("Digits world" in i.value for i in at.info)
    at = app(PAGE, present=True)
    strengths, sound = [], []
    for _ in range(5):
        press_next(at)
        assert not at.exception, [e.value for e in at.exception]
        strengths.append(at.session_state[f"{PAGE}.strength"])
        sound.append(at.session_state[f"{PAGE}.has_sound"])
    assert strengths == [rep.DEFAULT_STRENGTH, 0.0, 1.0, rep.DEFAULT_STRENGTH, 1.0], strengths
    assert sound[0] is False and at.session_state[f"{PAGE}.tab"] == "zero_shot"


# ---------------------------------------------------------------- pretrained mode: CLIP (tiny random-weight models)
CLIP_MATRIX, CLIP_MAP = f"{PAGE}_clip_matrix", f"{PAGE}_clip_map"


def chart(at, key: str) -> dict | None:
    found = [c for c in at.get("plotly_chart") if c.proto.id.endswith(f"-{key}")]
    return json.loads(found[0].proto.spec) if found else None


def array(value) -> np.ndarray:
    """A figure's numbers as they arrive in its JSON: a list, or Plotly's base64 typed array."""
    if isinstance(value, dict):
        import base64

        flat = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        return flat.reshape([int(n) for n in str(value["shape"]).split(",")]) if "shape" in value else flat
    return np.asarray(value)


def texts(at, kind: str) -> str:
    return "\n".join(e.value for e in getattr(at, kind))


def test_shared_space_measures_and_projects_images_and_texts(tiny_dir, monkeypatch):
    from models import hub

    monkeypatch.setenv(hub.LOCAL_DIR_VARIABLE, str(tiny_dir))
    loaded = hub.load("image_text")
    rng = np.random.default_rng(0)
    images = [rng.integers(0, 256, (40, 60, 3), dtype=np.uint8) for _ in range(3)]
    space = hub.shared_space(loaded.model, loaded.processor, images, ["a dog", "a cat", "a photo"])
    direct = hub.image_text_similarity(loaded.model, loaded.processor, images, ["a dog", "a cat", "a photo"])
    np.testing.assert_allclose(space.similarity, direct, atol=1e-5)
    assert space.points.shape == (6, 2) and np.isfinite(space.points).all()
    np.testing.assert_allclose(space.probabilities.sum(axis=1), 1.0, atol=1e-5)
    assert (space.probabilities.argmax(1) == space.similarity.argmax(1)).all()
    assert -1 <= space.within_images <= 1 and -1 <= space.within_texts <= 1
    one = hub.shared_space(loaded.model, loaded.processor, images[:1], ["a dog"])  # two vectors: one axis
    assert one.points.shape == (2, 2) and np.isnan(one.within_images) and isinstance(one.separated, bool)
    assert hub.centre_square(np.zeros((10, 4000, 3), np.uint8)).shape == (10, 10, 3)


def test_pretrained_mode_puts_photos_and_typed_captions_in_clips_space(pretrained_app):
    at = pretrained_app(PAGE)
    assert not at.exception, [e.value for e in at.exception]
    matrix = chart(at, CLIP_MATRIX)["data"][0]
    assert array(matrix["z"]).shape == (4, 5)  # 2 photos + 2 drawings of the world x 5 default captions
    assert matrix["y"][:2] == ["A temple", "A flower"] and matrix["zmid"] == 0
    projection = chart(at, CLIP_MAP)["data"]
    assert sum(len(array(trace.get("x", []))) for trace in projection if trace.get("legendgroup") == "groups") == 9
    summary = texts(at, "caption")
    assert "Best caption for each picture: A temple → “" in summary
    at.text_area(key=f"{PAGE}.clip_captions").set_value("a temple\n\n a flower in a garden ").run()
    assert not at.exception
    assert array(chart(at, CLIP_MATRIX)["data"][0]["z"]).shape == (4, 2)
    assert chart(at, CLIP_MATRIX)["data"][0]["x"] == ["a temple", "a flower in a garden"]
    assert texts(at, "caption") != summary
    assert chart(at, f"{PAGE}_joint_map") is not None  # the built-in page is all still there


@pytest.mark.parametrize(
    "typed, message",
    [
        ("", "clip_no_captions"),
        (" \n\u200b\n", "clip_no_captions"),
        ("x" * 1_000_000, "input.text_truncated"),
        ("a cat\x00\x1b[31m\u202e", "input.text_controls_removed"),
        ("\n".join(f"caption {i}" for i in range(50)), "clip_too_many"),
    ],
    ids=["empty", "invisible", "1MB", "control_characters", "too_many"],
)
def test_bad_captions_are_explained(pretrained_app, typed, message):
    at = pretrained_app(PAGE)
    at.text_area(key=f"{PAGE}.clip_captions").set_value(typed).run()
    assert not at.exception, [e.value for e in at.exception]
    key = message if "." in message else f"{PAGE}.{message}"
    assert i18n.translate(key, "en", n=10, max_chars=200) in texts(at, "info")
    matrix = chart(at, CLIP_MATRIX)
    if message == "clip_no_captions":
        assert matrix is None
    else:
        assert len(matrix["data"][0]["x"]) in (1, 10) and all(len(x) <= 28 for x in matrix["data"][0]["x"])


def test_offline_without_a_copy_says_so_and_keeps_the_builtin_page(app, no_network, fresh_cache):
    at = app(PAGE, model_source="pretrained")
    assert not at.exception, [e.value for e in at.exception]
    assert i18n.translate("pretrained.fallback", "en") in texts(at, "info")
    assert chart(at, CLIP_MATRIX) is None and chart(at, f"{PAGE}_coordinated_map") is not None


def test_builtin_mode_shows_no_pretrained_element(app):
    at = app(PAGE)
    assert not at.exception
    assert chart(at, CLIP_MATRIX) is None and chart(at, CLIP_MAP) is None and not at.text_area
    assert i18n.translate(f"{PAGE}.clip_title", "en") not in "\n".join(h.value for h in at.subheader)


def chart_traces(at, key: str) -> list[dict]:
    [chart] = [c for c in at.get("plotly_chart") if c.proto.id.endswith(f"-{key}")]
    return json.loads(chart.proto.spec)["data"]


def points(values) -> int:
    """How many values a Plotly array holds (the spec may hold it as typed base64)."""
    import base64

    if isinstance(values, dict):
        return len(np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"]))
    return len(values)


def test_a_clicked_point_shows_its_sample_and_both_maps_ring_it(app):
    """What a click does (in Chromium: tests/test_browser_journeys.py): the chosen sample is shown under
    the maps, and both maps ring its points (once in the joint map, once per modality in the other)."""
    world = worlds.make_world("shapes", 0)
    test = world.indices("test")
    row = int(test[rep.projection_positions(len(test))][3])
    at = app(PAGE)
    assert not [t for t in chart_traces(at, f"{PAGE}_joint_map") if t.get("name") == "chosen"]
    at.session_state["representation.chosen"] = row  # what the map's on_select callback sets
    at.run()
    assert not at.exception
    assert any(world.captions[row] in m.value for m in at.markdown)
    rings = {
        k: [t for t in chart_traces(at, f"{PAGE}_{k}_map") if t.get("name") == "chosen"]
        for k in ("joint", "coordinated")
    }
    assert points(rings["joint"][0]["x"]) == 1 and points(rings["coordinated"][0]["x"]) == len(rep.MODALITIES)
    at.button(key=f"{PAGE}.pin_chosen").click().run()
    assert at.session_state["pin"] == f"shapes-{row}"


def test_nearest_ranks_by_cosine_not_by_length():
    gallery = np.array([[10.0, 0.0], [0.0, 1.0], [1.0, 1.0], [-1.0, 0.0]])
    order, cosine = rep.nearest(np.array([1.0, 0.1]), gallery, 3)
    assert order.tolist() == [0, 2, 1] and np.allclose(cosine, sorted(cosine, reverse=True))
    assert np.isclose(cosine[0], 1 / np.sqrt(1.01))


def test_a_pinned_sample_the_maps_do_not_draw_is_said_so(app):
    world = worlds.make_world("shapes", 0)
    test = world.indices("test")
    drawn = set(test[rep.projection_positions(len(test))].tolist())
    hidden = next(int(r) for r in test if int(r) not in drawn)
    at = app(PAGE, pin=f"shapes-{hidden}")
    assert not at.exception
    said = i18n.translate("representation.pinned_not_drawn", "en", n=len(drawn))
    assert said in [c.value for c in at.caption]


# ---------------------------------------------------------------- the question: same sample, both models
def test_scenario_answers_give_the_accuracies_and_still_answers_reads_the_lead_over_chance(shapes):
    world, inputs = shapes
    model = rep.load("shapes", None)
    answers = rep.scenario_answers(world, rep.scenario_vectors(model, inputs["train"], inputs["test"]), "shape")
    truth = world.labels("shape")[world.indices("test")]
    assert set(answers) == set(rep.SCENARIOS) and len(rep.SCENARIOS) == 2 ** len(rep.MODALITIES) - 1
    for probabilities in answers.values():
        assert probabilities.shape == (len(truth), len(worlds.SHAPES))
        np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-6)
    accuracy = rep.missing_modality(model, world, inputs["train"], inputs["test"], "shape")
    assert accuracy == {p: rep.accuracy(a, truth) for p, a in answers.items()}
    full = {rep.MODALITIES: 0.9}
    assert rep.still_answers({**full, ("image",): 0.6}, ("image",), 0.25)  # kept 0.35 of a 0.65 lead
    assert not rep.still_answers({**full, ("image",): 0.5}, ("image",), 0.25)
    assert not rep.still_answers({rep.MODALITIES: 0.2, ("image",): 0.2}, ("image",), 0.25)  # no lead to keep


def test_neighbours_leave_the_sample_out_and_rank_by_cosine():
    vectors = np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [0.7, 0.7]])
    order, cosine = rep.neighbours(vectors, 0, 2)
    assert order.tolist() == [1, 3] and 0 not in order and cosine[0] >= cosine[1]
    full, full_cosine = rep.nearest(vectors[0], vectors, 3)
    assert order.tolist() == full[1:].tolist() and np.allclose(cosine, full_cosine[1:])


def predict_then(at, choice: str):
    """The panel's gate: press Predict first, then predict `choice` (the step then unticks caption and sound)."""
    at.button(key=f"{PAGE}.predict_panel").click().run()
    at.radio(key=f"{PAGE}.predict_1").set_value(choice).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_unticking_the_sound_shows_both_answers_and_the_measured_drop(app, shapes):
    world, inputs = shapes
    at = app(PAGE)
    assert [m.label for m in at.metric][:2] == [
        f"Test accuracy with these modalities ({len(world.indices('test'))} samples)"
    ] * 2
    at.checkbox(key=f"{PAGE}.has_sound").uncheck().run()
    assert not at.exception
    said = i18n.translate(f"{PAGE}.predict_first", "en")
    assert said in [i.value for i in at.info] and len(at.metric) < 6  # predict first: no answers yet
    predict_then(at, "coordinated")
    at.checkbox(key=f"{PAGE}.has_text").check()  # back to: only the sound is missing
    at.checkbox(key=f"{PAGE}.has_sound").uncheck()
    at.run()
    assert not at.exception
    present = ("image", "text")
    accuracy = {
        kind: rep.missing_modality(rep.load("shapes", kind), world, inputs["train"], inputs["test"], "shape")
        for kind in (None, rep.DEFAULT_STRENGTH)
    }
    metrics = at.metric[:2]
    for metric, kind in zip(metrics, (None, rep.DEFAULT_STRENGTH)):
        assert metric.value == f"{accuracy[kind][present]:.0%}"
        drop = round(100 * (accuracy[kind][present] - accuracy[kind][rep.MODALITIES]))
        assert metric.proto.delta == i18n.translate(f"{PAGE}.against_all", "en", points=drop)
    assert accuracy[None][present] < accuracy[None][rep.MODALITIES]  # the joint model loses something
    answers = [a.value for a in (*at.success, *at.error) if a.value.startswith("Answer:")]
    assert len(answers) == 2
    said = i18n.translate(f"{PAGE}.joint_fills", "en", modality="sound")
    assert said in [c.value for c in at.caption]  # the joint model's imputation is said
    assert chart(at, f"{PAGE}_missing") is not None  # the bars, once predicted


def test_nothing_ticked_gives_a_message_not_an_exception(app):
    at = app(PAGE, **{f"{PAGE}.has_{m}": False for m in rep.MODALITIES})
    assert not at.exception, [e.value for e in at.exception]
    assert i18n.translate(f"{PAGE}.none_ticked", "en") in [w.value for w in at.warning]
    assert chart(at, f"{PAGE}_missing") is None and chart(at, f"{PAGE}_joint_map") is not None


@pytest.mark.parametrize("predicted_right", [True, False])
def test_the_panels_verdict_follows_the_measured_result(app, shapes, predicted_right):
    world, inputs = shapes
    accuracy = [
        rep.missing_modality(rep.load("shapes", kind), world, inputs["train"], inputs["test"], "shape")
        for kind in (None, rep.DEFAULT_STRENGTH)
    ]
    kept = tuple(rep.still_answers(a, ("image",), 1 / len(worlds.SHAPES)) for a in accuracy)
    right = {(True, True): "both", (True, False): "joint", (False, True): "coordinated"}.get(kept, "neither")
    choice = right if predicted_right else next(c for c in ("both", "joint", "coordinated", "neither") if c != right)
    at = app(PAGE, **{f"{PAGE}.has_text": False, f"{PAGE}.has_sound": False})
    predict_then(at, choice)
    verdict = i18n.translate("predict.held" if predicted_right else "predict.missed", "en").split("{")[0]
    alerts = [a.value for a in (*at.success, *at.warning)]
    assert any(a.startswith(verdict) for a in alerts), alerts
    assert i18n.translate(f"{PAGE}.ask.step_missing.choice.{right}", "en") in " ".join(alerts)


def images_of(at, key: str) -> list:
    [found] = [c for c in at.get("plotly_chart") if c.proto.id.endswith(f"-{key}")]
    return json.loads(found.proto.spec)["layout"].get("images", [])


def test_the_nearest_neighbours_of_a_chosen_point_are_models_nearest(app, shapes):
    world, inputs = shapes
    test = world.indices("test")
    position = int(rep.projection_positions(len(test))[7])
    at = app(PAGE, **{f"{PAGE}.chosen": int(test[position])})
    assert not at.exception
    joint = rep.joint_embeddings(rep.load("shapes", None), inputs["test"], {})[rep.MODALITIES]
    coordinated = rep.fuse(rep.modality_embeddings(rep.load("shapes", rep.DEFAULT_STRENGTH), inputs["test"]))
    shown = [list(e.captions) for e in at.get("image") if len(e.captions) == 5]  # the two neighbour lists
    assert len(shown) == 2
    for vectors, captions in zip((joint, coordinated), shown):
        order, cosine = rep.nearest(vectors[position], vectors, 6)
        expected = [f"{c:.2f} · {world.captions[test[j]]}" for j, c in zip(order, cosine) if j != position][:5]
        assert captions == expected


def test_the_pictures_toggle_draws_each_sample_at_its_point(app):
    at = app(PAGE)
    assert images_of(at, f"{PAGE}_joint_map") == []
    at.toggle(key=f"{PAGE}.thumbnails").set_value(True).run()
    assert not at.exception
    drawn = len(rep.projection_positions(400))
    for key in ("joint", "coordinated"):
        pictures = images_of(at, f"{PAGE}_{key}_map")
        assert len(pictures) == drawn and pictures[0]["source"].startswith("data:image/png;base64,")
    row = int(worlds.make_world("shapes", 0).indices("test")[rep.projection_positions(400)[5]])
    at.session_state[f"{PAGE}.chosen"] = row
    at.run()
    framed = json.loads(next(c for c in at.get("plotly_chart") if c.proto.id.endswith(f"-{PAGE}_joint_map")).proto.spec)
    assert len(framed["layout"]["shapes"]) == 1  # the chosen sample, framed above the pictures that hide its ring
    at.radio(key=f"{PAGE}.dims").set_value(3).run()  # layout images are 2-D only
    assert not at.exception and at.toggle(key=f"{PAGE}.thumbnails").disabled


@pytest.mark.parametrize("language", list(i18n.LANGUAGES))
def test_the_rebuilt_page_in_every_language(app, language):
    at = app(PAGE, lang=language, **{f"{PAGE}.has_sound": False})
    at = predict_then(at, "both")
    at.toggle(key=f"{PAGE}.thumbnails").set_value(True).run()
    assert not at.exception, [e.value for e in at.exception]
    shown = " ".join(
        e.value for kind in ("markdown", "caption", "info", "success", "warning", "error") for e in getattr(at, kind)
    )
    shown += " ".join(str(m.label) for m in at.metric)
    assert "⟦" not in shown
    assert i18n.translate(f"{PAGE}.panel_title", language) in [h.value for h in at.subheader]
