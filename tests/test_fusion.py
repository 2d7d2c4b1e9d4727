"""Fusion: the metrics by hand, the models' algebra, the test bank's shortcut, the page's promised
numbers on the held-out test split (with the committed weights), and the page itself."""

import numpy as np
import pytest
import torch
from presenter import press_next

from components import i18n
from models.core import features, worlds
from models.fusion import lab as fusion_lab
from models.fusion import strategies as fusion


# ---------------------------------------------------------------- MultiBench's metrics, checked by hand
def test_relative_robustness_is_the_area_under_the_curve():
    assert fusion_lab.relative_robustness([1.0] * 11) == pytest.approx(1.0)
    assert fusion_lab.relative_robustness([0.9] * 11) == pytest.approx(0.9)
    assert fusion_lab.relative_robustness(np.linspace(1, 0, 11)) == pytest.approx(0.5)  # a triangle
    # trapezoids: (1 + 0.5) / 2 * 0.1 for the first step, then nine steps at 0.5
    assert fusion_lab.relative_robustness([1.0] + [0.5] * 10) == pytest.approx(0.075 + 0.45)


def test_effective_robustness_compares_with_shifted_late_fusion():
    late = 1 - 0.1 * np.arange(11)  # 1.0, 0.9, ..., 0.0
    assert fusion_lab.effective_robustness(late, late) == pytest.approx(0.0)
    assert fusion_lab.effective_robustness(late - 0.2, late) == pytest.approx(0.0)  # same fall, lower start
    # a flat 0.9 against late fusion shifted down to start at 0.9: above it by 0.1 k at level k
    assert fusion_lab.effective_robustness([0.9] * 11, late) == pytest.approx(0.1 * sum(range(11)))
    assert fusion_lab.effective_robustness(late - 0.02 * np.arange(11), late) == pytest.approx(-0.02 * sum(range(11)))


def test_min_max_scales_methods_between_worst_and_best():
    assert fusion_lab.min_max({"a": 0.5, "b": 0.7, "c": 0.6}) == pytest.approx({"a": 0.0, "b": 1.0, "c": 0.5})


# ---------------------------------------------------------------- the unique and synergy tasks
def test_unique_parts_give_each_modality_its_own_part():
    key = np.random.default_rng(0).integers(0, 4, 600)
    for k in (2, 3):
        rows, label = fusion.unique_parts(key, k, seed=1)
        assert rows.shape == (k, 600) and set(np.unique(label)) == set(range(2**k))
        assert (rows[0] == np.arange(600)).all()
        for m in range(k):  # each modality's own sample decides its bit exactly...
            assert (((label >> m) & 1) == (key[rows[m]] >= 2)).all()
            for other in set(range(k)) - {m}:  # ...and says nothing about another's
                bit = (label >> other) & 1
                assert abs(bit[key[rows[m]] >= 2].mean() - bit[key[rows[m]] < 2].mean()) < 0.12
    assert fusion.class_names("shapes", "unique", 2) == ("●■ · ●■", "▲★ · ●■", "●■ · ▲★", "▲★ · ▲★")


def test_agreement_pairs_need_every_modality():
    key = np.random.default_rng(0).integers(0, 4, 600)
    for k in (2, 3):
        rows, label = fusion.agreement_pairs(key, k, seed=1)
        assert rows.shape == (k, 600) and abs(label.mean() - 0.5) < 0.01
        agree = (key[rows] == key[rows[0]]).all(0)
        assert (agree == (label == 1)).all()
        assert ((rows != np.arange(600)).sum(0)[label == 0] == 1).all()  # exactly one modality swapped
        for m in range(k):  # alone, a modality's class says nothing about the answer
            for c in range(4):
                assert abs(label[key[rows[m]] == c].mean() - 0.5) < 0.12


# ---------------------------------------------------------------- the models' algebra
def test_tensor_fusion_is_a_linear_head_on_the_outer_product_with_ones():
    torch.manual_seed(0)
    model = fusion.Tensor([5, 3], classes=2)
    x = torch.randn(4, 8)
    za, zb = model.encoders[0](x[:, :5]), model.encoders[1](x[:, 5:])
    outer = torch.cat([torch.ones(4, 1), za], 1)[:, :, None] * torch.cat([torch.ones(4, 1), zb], 1)[:, None, :]
    assert torch.allclose(model(x), model.head(outer.flatten(1)), atol=1e-5)
    assert model.head.in_features == (fusion.TENSOR_EMBED + 1) ** 2
    # the appended 1 keeps each modality's own features: row 0 of the product is [1, z_b]
    assert torch.allclose(outer[:, 0, 1:], zb, atol=1e-6) and torch.allclose(outer[:, 1:, 0], za, atol=1e-6)


def test_low_rank_fusion_is_tensor_fusion_with_a_factorised_head():
    torch.manual_seed(0)
    model = fusion.LowRank([5, 3], classes=2)
    x = torch.randn(4, 8)
    a, b = (fusion.with_one(enc(part)) for enc, part in zip(model.encoders, x.split([5, 3], 1)))
    full = torch.einsum("ric,rjc->ijc", model.factors[0], model.factors[1])  # the (e+1, e+1, C) tensor head
    assert torch.allclose(model(x), torch.einsum("bi,bj,ijc->bc", a, b, full) + model.bias, atol=1e-4)
    assert fusion.n_parameters(model) < fusion.n_parameters(fusion.Tensor([5, 3], 2)) + fusion.RANK * 18 * 2


def test_late_weights_drop_a_missing_vote():
    late = fusion.LateWeights(2, 3)
    log_probs = torch.log_softmax(torch.randn(5, 2, 3), -1)
    with torch.no_grad():
        late.weight.copy_(torch.tensor([0.5, 2.0]))
        only_first = late(log_probs, torch.tensor([1.0, 0.0]))
    assert torch.allclose(only_first, 0.5 * log_probs[:, 0] + late.bias)


# ---------------------------------------------------------------- the test bank
@pytest.fixture(scope="module")
def digits():
    return worlds.make_world("digits", 0)


@pytest.fixture(scope="module")
def shapes():
    return worlds.make_world("shapes", 0)


@pytest.fixture(scope="module")
def banks(digits, shapes):
    return {"digits": fusion_lab.test_bank(digits), "shapes": fusion_lab.test_bank(shapes)}


def test_sound_levels_shortcut_equals_corrupting_then_featurising(shapes):
    clips = shapes.audio[shapes.indices("test")[:40]]
    fast = fusion_lab.sound_levels(clips, shapes.sample_rate)
    assert fast.shape == (len(fusion.LEVELS), 40, 2 * features.N_MELS)
    for level in (0.0, 0.3, 1.0):
        slow = fusion.featurise("sound", fusion_lab.corrupted("sound", clips, level), None)
        assert np.abs(fast[fusion_lab.level_index(level)] - slow).max() < 1e-4


def test_bank_levels_get_noisier(banks, shapes):
    image = banks["shapes"].features["image"]
    assert np.allclose(image[0], fusion.featurise("image", shapes.images[banks["shapes"].test_index], None))
    change = [np.abs(image[i] - image[0]).mean() for i in range(len(fusion.LEVELS))]
    assert change[0] == 0 and all(a < b for a, b in zip(change[1:], change[2:]))


# ---------------------------------------------------------------- the numbers the page promises
def accuracies(banks, world, task, subset, levels=None, missing=()):
    lab = fusion_lab.load_lab(world, task, subset)
    return fusion_lab.accuracies(lab, banks[world], fusion_lab.Condition(levels or {}, frozenset(missing)))


@pytest.mark.parametrize("world", worlds.WORLD_NAMES)
def test_clean_redundant_fusion_is_as_good_as_the_best_modality(banks, world):
    acc = accuracies(banks, world, "redundant", "image+sound")
    assert acc["image"] > 0.6 and acc["sound"] > 0.95  # every modality really learns its label
    assert max(acc[s] for s in fusion.FUSION) >= max(acc["image"], acc["sound"])


@pytest.mark.parametrize("world", worlds.WORLD_NAMES)
@pytest.mark.parametrize("subset", fusion.SUBSETS)
def test_synergy_needs_early_or_intermediate_fusion(banks, world, subset):
    """Measured: early/intermediate beat the best of unimodal and late fusion by 17 to 49 points."""
    acc = accuracies(banks, world, "synergy", subset)
    baseline = max(acc[s] for s in (*subset.split("+"), "late_average", "late_learned"))
    assert baseline < 0.56  # alone, or voting, the modalities are at chance (0.5)
    assert min(acc["early"], acc["intermediate"]) > baseline + 0.15


@pytest.mark.parametrize(
    "world, subset, corrupted, level, margin",
    [
        ("shapes", "image+text", "text", 1.0, 0.05),  # measured: late fusion 73.5% vs image alone 68.0%
        ("shapes", "image+sound", "sound", 0.5, 0.05),  # measured: intermediate 74.8% vs image alone 68.0%
        ("digits", "image+sound", "sound", 1.0, 0.01),  # measured: learned late 98.3% vs image alone 96.7%
    ],
)
def test_heavy_noise_on_one_modality_fusion_beats_every_modality_alone(banks, world, subset, corrupted, level, margin):
    acc = accuracies(banks, world, "redundant", subset, {corrupted: level})
    best_single = max(acc[m] for m in subset.split("+"))
    assert max(acc[s] for s in fusion.FUSION) >= best_single + margin
    assert acc[corrupted] < 0.7  # the corruption really is heavy


@pytest.mark.parametrize("world", worlds.WORLD_NAMES)
def test_late_fusion_survives_a_missing_modality_early_fusion_degrades(banks, world):
    clean = accuracies(banks, world, "redundant", "image+sound")
    gaps = []
    for gone, kept in (("image", "sound"), ("sound", "image")):
        acc = accuracies(banks, world, "redundant", "image+sound", missing=[gone])
        assert gone not in acc and acc["late_average"] == pytest.approx(clean[kept])  # the other modality's vote
        assert acc["late_average"] >= acc["early"] - 0.005 and acc["early"] < clean["early"]
        gaps.append(acc["late_average"] - acc["early"])
    assert np.mean(gaps) > 0.05  # measured: 8.3 points on Digits, 10.9 on Shapes
    if world == "shapes":  # the presenter's story: without the sound, early fusion is worse than the picture alone
        acc = accuracies(banks, world, "redundant", "image+sound", missing=["sound"])
        assert acc["early"] < acc["image"] - 0.05


def test_curves_follow_multibench_protocol(banks):
    lab = fusion_lab.load_lab("digits", "redundant", "image+sound")
    curves = fusion_lab.curves(lab, banks["digits"])
    assert set(curves) == {"image", "sound"}
    assert curves["image"]["sound"] == [curves["image"]["sound"][0]] * 11  # sound never sees image noise
    assert curves["image"]["image"][0] > curves["image"]["image"][-1] + 0.2
    scores = fusion_lab.robustness(curves["image"])
    assert scores["late_average"].effective == 0 and scores["sound"].relative == pytest.approx(1.0)


def test_fixed_and_broken_samples_are_what_they_say(banks):
    lab = fusion_lab.load_lab("shapes", "redundant", "image+sound")
    bank = banks["shapes"]
    condition = fusion_lab.Condition({"sound": 0.5})
    probs = fusion_lab.evaluate(lab, bank, condition)
    labels = fusion_lab.test_task(lab, bank)[1]
    fixed, broken = fusion_lab.fixed_and_broken(lab, bank, probs, "intermediate")
    right = {s: p.argmax(1) == labels for s, p in probs.items()}
    assert len(fixed) > len(broken) > 0
    assert right["intermediate"][fixed].all() and (~right["image"][fixed] | ~right["sound"][fixed]).all()
    assert (~right["intermediate"][broken]).all() and (right["image"][broken] | right["sound"][broken]).all()


def test_architecture_reads_the_real_layers():
    lab = fusion_lab.load_lab("digits", "redundant", "image+sound")
    tensor = fusion_lab.architecture(lab, "tensor")
    assert tensor.branches["image"] == [("input", 192), ("hidden", fusion.HIDDEN), ("embedding", fusion.TENSOR_EMBED)]
    assert tensor.meet == ("outer", 81) and tensor.head == [("output", 10)]
    early = fusion_lab.architecture(lab, "early")
    assert early.meet == ("concat", 192 + 80) and early.parameters == fusion.n_parameters(lab.models["early"])


def test_another_seed_trains_its_own_lab(monkeypatch):
    """Only seed 0 ships with weights; another seed's world has another split, so it trains (here briefly)."""
    monkeypatch.setattr(fusion, "EPOCHS", 1)
    monkeypatch.setattr(fusion, "COPIES", {"redundant": 1, "unique": 1, "synergy": 1})
    lab = fusion_lab.load_lab("digits", "redundant", "image+sound", seed=1)
    assert set(lab.models) == {"image", "sound", "late_learned", *fusion.TRAINED_FUSION}
    assert fusion.training_features.cache_info().currsize == 0  # the features behind it are let go
    bank = fusion_lab.test_bank(worlds.make_world("digits", 1), ("image", "sound"))
    assert fusion_lab.accuracies(lab, bank, fusion_lab.Condition())["sound"] > 0.5  # one epoch already learns


# ---------------------------------------------------------------- the page
def now_column(at) -> list[str]:
    table = next(
        m.value for m in at.markdown if m.value.startswith(f"| {i18n.translate('fusion.col_strategy', 'en')} |")
    )
    return [row.split("|")[3].strip() for row in table.splitlines()[2:]]


def test_page_widgets_change_the_results(app):
    at = app("fusion")
    assert not at.exception
    clean = now_column(at)
    at.slider(key="fusion.level_sound").set_value(0.5).run()
    noisy = now_column(at)
    assert noisy[1] != clean[1] and noisy[0] == clean[0]  # sound changed, image did not
    at.toggle(key="fusion.missing_image").set_value(True).run()
    assert now_column(at)[0] == "—"
    for key, value in (
        ("fusion.focus", "tensor"),
        ("fusion.curve", "sound"),
        ("fusion.task", "synergy"),
        ("fusion.modalities", "image+sound+text"),
        ("fusion.level_text", 0.3),
        ("fusion.missing_text", True),
        ("fusion.level_image", 0.8),
    ):
        widget = next(w for kind in ("slider", "toggle", "radio", "selectbox") for w in at.get(kind) if w.key == key)
        widget.set_value(value).run()
        assert not at.exception, (key, [e.value for e in at.exception])
    assert len(now_column(at)) == 9 and any("729" in m.value for m in at.markdown)  # three modalities: 9^3
    assert len(at.slider) >= 3


def test_own_caption_is_read_by_every_strategy(app):
    at = app("fusion", **{"fusion.modalities": "image+sound+text"})
    column = i18n.translate("fusion.col_says", "en")
    says = lambda: [m.value for m in at.markdown if m.value.startswith("|") and column in m.value][-1]  # noqa: E731
    own = says()
    at.text_input(key="fusion.caption").set_value("a large zebra star on the left").run()
    assert not at.exception and says() != own
    assert any("zebra" in c.value for c in at.caption)  # out of the dictionary, and told so
    at.number_input(key="fusion.sample").set_value(5).run()
    assert at.text_input(key="fusion.caption").value != "a large zebra star on the left"  # the new sample's own
    at.text_input(key="fusion.caption").set_value("").run()
    assert not at.exception


def test_examples_are_one_click_away(app):
    at = app("fusion")
    next(b for b in at.button if b.label == i18n.translate("fusion.example_3", "en")).click().run()
    assert not at.exception and at.session_state["fusion.missing_sound"] is False  # asked first (test_predict.py)
    at.radio(key="fusion.predict_2").set_value("early").run()
    assert not at.exception and at.session_state["fusion.missing_sound"] is True


def test_presenter_steps_tell_the_story(app):
    at = app("fusion", present=True)
    for step in range(1, 5):
        press_next(at)
        assert not at.exception
        if step == 3:
            assert at.session_state["fusion.task"] == "unique"
    assert at.session_state["fusion.step"] == 4 and at.session_state["fusion.task"] == "synergy"


def test_permalink_restores_the_lab(app):
    from streamlit.testing.v1 import AppTest

    at = app("fusion")
    at.slider(key="fusion.level_sound").set_value(0.7).run()
    at.toggle(key="fusion.missing_image").set_value(True).run()
    params = dict(at.query_params)
    assert params["fusion.level_sound"] == "0.7" and params["fusion.missing_image"] == "1"

    fresh = AppTest.from_file(at._script_path, default_timeout=120)
    fresh.switch_page("lessons/fusion.py")
    fresh.query_params.update({**params, "fusion.task": "complementary"})
    fresh.run()
    assert not fresh.exception
    assert fresh.session_state["fusion.level_sound"] == 0.7 and fresh.session_state["fusion.missing_image"] is True
    assert fresh.session_state["fusion.task"] == "redundant"  # a value outside the options falls back


@pytest.mark.parametrize("world", worlds.WORLD_NAMES)
def test_unique_parts_are_assembled_even_by_averaging_late_fusion(banks, world):
    """Unique information is not synergy: each modality reads its own part, so averaging their
    probabilities still finds the combination, far above any modality alone (which knows one part)."""
    acc = accuracies(banks, world, "unique", "image+sound")
    print(world, {s: round(a, 3) for s, a in acc.items()})
    assert max(acc["image"], acc["sound"]) <= 0.55  # one part of two: at most half the combinations
    assert acc["late_average"] > max(acc["image"], acc["sound"]) + 0.2
    synergy = accuracies(banks, world, "synergy", "image+sound")
    assert synergy["late_average"] < 0.56  # where late fusion fails: the answer is only in the interaction


def test_every_modality_missing_leaves_nothing_fixed_or_broken(app, banks):
    """Found by the load generator: a visitor who covers both the picture and the sound, with a fusion
    strategy in focus, got a traceback (no unimodal model answers to compare with)."""
    lab = fusion_lab.load_lab("shapes", "redundant", "image+sound")
    probs = fusion_lab.evaluate(lab, banks["shapes"], fusion_lab.Condition({}, frozenset({"image", "sound"})))
    fixed, broken = fusion_lab.fixed_and_broken(lab, banks["shapes"], probs, "late_average")
    assert len(fixed) == len(broken) == 0
    at = app("fusion", **{"fusion.closer_open": True, "fusion.focus": "late_average"})
    at.toggle(key="fusion.missing_image").set_value(True).run()
    at.toggle(key="fusion.missing_sound").set_value(True).run()
    assert not at.exception, [e.value for e in at.exception]


def test_the_chosen_row_is_shown_with_every_answer_and_ringed_in_the_matrix(app):
    """The closer look opens on a test row: its cell in the confusion matrix is outlined, and the row is
    shown with what every model says for it; choosing another row moves both, and the caption box."""
    import json

    world = worlds.make_world("shapes", 0)
    at = app("fusion", **{"fusion.modalities": "image+sound+text", "fusion.sample": 7, "fusion.closer_open": True})
    assert not at.exception
    [chart] = [c for c in at.get("plotly_chart") if c.proto.id.endswith("-fusion_confusion")]
    spec = json.loads(chart.proto.spec)
    [ring] = [s for s in spec["layout"]["shapes"] if s.get("name") == "chosen"]
    cells = [t for t in spec["data"] if t.get("name") == "cells"]
    assert cells, "every cell carries a clickable marker"
    test = world.indices("test")
    assert world.captions[test[7]] == at.text_input(key="fusion.caption").value
    title = i18n.translate("fusion.chosen_title", "en", n=8, true="X", said="Y", count=0).split(":")[0]
    assert any(m.value.startswith(title) for m in at.markdown), title  # row 7, counted from 1
    strategies = fusion_lab.strategy_order(("image", "sound", "text"))
    table = next(m.value for m in at.markdown if m.value.startswith("|") and ("✓" in m.value or "✗" in m.value))
    assert table.count("\n") >= len(strategies) + 1, table
    truth = int(world.labels("shape")[test[7]])
    assert ring["y0"] == truth - 0.5, (ring, truth)
    at.number_input(key="fusion.sample").set_value(12).run()
    assert not at.exception
    assert world.captions[test[12]] == at.text_input(key="fusion.caption").value
    [chart] = [c for c in at.get("plotly_chart") if c.proto.id.endswith("-fusion_confusion")]
    [ring] = [s for s in json.loads(chart.proto.spec)["layout"]["shapes"] if s.get("name") == "chosen"]
    assert ring["y0"] == int(world.labels("shape")[test[12]]) - 0.5
