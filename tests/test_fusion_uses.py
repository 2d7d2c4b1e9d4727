"""What each fusion strategy uses (Shapley values, EMAP) and the tensor-product drill-down: the measures
on constructed cases whose answer is known, the page's promised numbers with the committed weights, and
the two views on the fusion page."""

import re

import numpy as np
import pytest
import torch

from components import i18n
from models.core import worlds
from models.fusion import drilldown as fusion_drill
from models.fusion import lab as fusion_lab
from models.fusion import strategies as fusion
from models.fusion import uses as fusion_uses


# ---------------------------------------------------------------- Shapley values, constructed games
def test_shapley_of_an_additive_game_is_each_players_own_worth():
    worth = {"image": 0.3, "sound": 0.5, "text": 0.0}
    phi = fusion_uses.shapley(lambda kept: sum(worth[m] for m in kept), list(worth))
    assert phi == pytest.approx(worth)  # the text adds nothing, so it gets exactly nothing


def test_shapley_splits_a_pure_interaction_equally_and_adds_up():
    players = ["image", "sound", "text"]
    both = lambda kept: 0.9 if {"image", "sound"} <= kept else 0.5  # only the pair together is worth anything
    phi = fusion_uses.shapley(both, players)
    assert phi["image"] == pytest.approx(0.2) and phi["sound"] == pytest.approx(0.2) and phi["text"] == 0
    assert sum(phi.values()) == pytest.approx(both(frozenset(players)) - both(frozenset()))


# ---------------------------------------------------------------- EMAP, constructed models
def test_additive_projection_of_an_additive_model_is_the_model():
    rng = np.random.default_rng(0)
    parts = [rng.normal(size=(50, 3)), rng.normal(size=(50, 2)), rng.normal(size=(50, 4))]
    w = [rng.normal(size=(p.shape[1], 5)) for p in parts]
    f = lambda xs: sum(np.tanh(x @ wk) for x, wk in zip(xs, w))  # a sum of one term per modality
    partners = rng.integers(0, 50, (3, 7))
    assert np.allclose(fusion_uses.additive_projection(f, parts, partners), f(parts))


def test_additive_projection_cannot_express_a_product():
    """f = x_a * x_b (zero-mean inputs): its best additive approximation is flat, so it decides nothing."""
    rng = np.random.default_rng(1)
    a, b = rng.choice([-1.0, 1.0], (400, 1)), rng.choice([-1.0, 1.0], (400, 1))
    f = lambda xs: np.concatenate([xs[0] * xs[1], -xs[0] * xs[1]], 1)  # class 0 when the signs agree
    labels = (a * b < 0).astype(int).ravel()
    projected = fusion_uses.additive_projection(f, [a, b], np.stack([np.arange(400)] * 2))
    assert (f([a, b]).argmax(1) == labels).all()
    assert np.abs(projected).max() < 0.2  # the two modalities' sign averages out over all partners


# ---------------------------------------------------------------- the numbers the page promises
@pytest.fixture(scope="module")
def banks():
    return {name: fusion_lab.test_bank(worlds.make_world(name, 0), ("image", "sound")) for name in worlds.WORLD_NAMES}


@pytest.fixture(scope="module")
def measured(banks):
    return {
        (world, task, baseline): fusion_uses.measure(
            fusion_lab.load_lab(world, task, "image+sound"), banks[world], baseline
        )
        for world in worlds.WORLD_NAMES
        for task in fusion.TASKS
        for baseline in fusion_uses.BASELINES
    }


def test_late_fusion_is_additive_on_every_task(measured):
    for key, uses in measured.items():
        for late in ("late_average", "late_learned"):
            assert uses.interaction[late] == 0 and uses.additive[late] == uses.accuracy[late], (key, late)


@pytest.mark.parametrize("world", worlds.WORLD_NAMES)
@pytest.mark.parametrize("baseline", fusion_uses.BASELINES)
def test_interactions_matter_on_synergy_not_redundancy(measured, world, baseline):
    """Measured (image+sound): early, intermediate and tensor fusion gain 22-40 points from interactions on synergy,
    at most 0.8 on the redundant task."""
    redundant, synergy = measured[(world, "redundant", baseline)], measured[(world, "synergy", baseline)]
    for strategy in ("early", "tensor", "intermediate"):
        assert synergy.interaction[strategy] > redundant.interaction[strategy] + 0.15, strategy
        assert synergy.interaction[strategy] > 0.2 and abs(redundant.interaction[strategy]) < 0.03
        assert synergy.additive[strategy] < 0.56  # without interactions: chance (0.5)


def test_a_model_that_ignores_a_modality_gives_it_zero(measured):
    for key, uses in measured.items():
        assert uses.contributions["image"]["sound"] == 0 and uses.contributions["sound"]["image"] == 0, key
        for strategy, shares in uses.contributions.items():  # efficiency: the shares add up
            assert sum(shares.values()) == pytest.approx(uses.accuracy[strategy] - uses.base(strategy))


def test_removing_everything_leaves_about_chance(measured):
    for (world, task, _), uses in measured.items():
        chance = 1 / fusion.n_classes(world, task, 2)
        assert all(abs(uses.base(s) - chance) < 0.1 for s in fusion.FUSION)


def test_redundant_shapes_late_fusion_leans_on_the_sound(measured):
    """The picture alone is 68% right and the sound 100%: the sound carries most of the share."""
    uses = measured[("shapes", "redundant", "shuffled")]
    assert uses.contributions["late_average"]["sound"] > 3 * uses.contributions["late_average"]["image"]


# ---------------------------------------------------------------- the tensor-product drill-down
@pytest.mark.parametrize("subset", ["image+sound", "image+sound+text"])
def test_drill_down_ends_at_the_models_own_output(subset):
    world = worlds.make_world("shapes", 0)
    modalities = tuple(subset.split("+"))
    bank = fusion_lab.test_bank(world, modalities)
    lab = fusion_lab.load_lab("shapes", "synergy", subset)
    rows, _ = fusion_lab.test_task(lab, bank)
    for row in (0, 7, 123):
        parts = [p[0] for p in fusion_uses.standardised(lab, bank, rows[:, [row]])]
        inside = fusion_drill.tensor_product(lab, parts)
        e = fusion.TENSOR_EMBED + 1
        assert inside.product.shape == (e,) * len(modalities) and inside.product.flat[0] == 1
        assert np.allclose(inside.product[(0,) * (len(modalities) - 1)][1:], inside.vectors[-1][1:])  # own numbers
        assert fusion_drill.own_terms(inside).sum() == 1 + fusion.TENSOR_EMBED * len(modalities)
        x = torch.from_numpy(np.concatenate(parts).astype(np.float32))[None]
        with torch.no_grad():
            logits = lab.models["tensor"](x)[0].numpy()
        assert np.allclose(inside.logits, logits, atol=1e-4)
        positions = rows[:, row]
        predicted = fusion_lab.predict(lab, {m: bank.features[m][0][[p]] for m, p in zip(modalities, positions)})
        assert np.allclose(inside.probabilities, predicted["tensor"][0], atol=1e-5)
        assert np.allclose(inside.terms.reshape(len(logits), -1).sum(1) + inside.bias, inside.logits)


# ---------------------------------------------------------------- the page
def test_uses_view_changes_with_the_task_and_the_removal(app):
    at = app("fusion")
    measured = lambda: next(m.value for m in at.markdown if m.value.startswith("**Measured on this task"))
    shares = lambda: next(c.value for c in at.caption if "left with every modality removed" in c.value)
    redundant, shuffled = measured(), shares()
    at.radio(key="fusion.removal").set_value("mean").run()
    assert not at.exception and shares() != shuffled
    at.radio(key="fusion.task").set_value("synergy").run()
    assert not at.exception and "+0.0 to averaging late fusion and +0.0 to learned late fusion" in measured()
    assert measured() != redundant
    at.session_state["fusion.uses_compare"] = True
    at.run()
    tasks = " | ".join(i18n.translate(f"fusion.task_{task}", "en") for task in fusion.TASKS)
    table = next(m.value for m in at.markdown if m.value.startswith(f"| strategy | {tasks} |"))
    assert not at.exception and len(table.splitlines()) == 2 + len(fusion.FUSION)
    assert any(m.value.startswith("Interactions add") for m in at.markdown)


def test_drill_down_opens_under_the_tensor_diagram_and_steps(app):
    at = app("fusion", **{"fusion.focus": "tensor"})
    title = i18n.translate("fusion.drill_title", "en")
    assert any(e.label == title for e in at.expander)
    at.session_state["fusion.drill_open"] = True
    at.run()
    assert not at.exception
    for step in ("outer", "weights", "terms", "softmax"):
        at.select_slider(key="fusion.drill_step").set_value(step).run()
        assert not at.exception, step
    said = next(m.value for m in at.markdown if "the same number" in m.value)
    shown, model = re.findall(r"\d\.\d{4}", said)  # the drill-down's probability, the model's own
    assert shown == model
    at.number_input(key="fusion.drill_row").set_value(5).run()
    assert not at.exception
    play = i18n.translate("fusion.drill_play", "en")
    next(b for b in at.button if b.label == play).click().run()  # from the last step: back to the start
    assert not at.exception and at.session_state["fusion.drill_step"] == "vectors"
    assert at.session_state["fusion.drill_playing"] is True
    at.session_state["fusion.drill_ticked"] = 0.0  # a tick later (AppTest runs no timers)
    at.run()
    assert at.session_state["fusion.drill_step"] == "outer"
    at.radio(key="fusion.task").set_value("redundant").run()
    at.selectbox(key="fusion.modalities").set_value("image+sound+text").run()
    assert not at.exception
