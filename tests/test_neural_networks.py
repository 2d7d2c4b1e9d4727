"""Neural-network basics: the score function is what the model computes, gradient descent really learns,
Play with the defaults retrains the saved model, and a hidden layer solves what a linear network cannot."""

import re

import numpy as np
import pytest
import torch
from presenter import press_next
from test_app import assert_clean

from components import figures
from models.core import checkpoints, features, worlds
from models.neural_networks import basics as nb

PAGE = "neural_networks"


def key(name: str) -> str:
    return f"{PAGE}.{name}"


@pytest.fixture(scope="module")
def shapes():
    world = worlds.make_world("shapes", nb.TRAIN_SEED)
    return world, nb.pixel_splits(world)


@pytest.fixture(scope="module")
def digits():
    world = worlds.make_world("digits", nb.TRAIN_SEED)
    return world, nb.pixel_splits(world)


def _plane(world: worlds.World) -> np.ndarray:
    pixels = features.image_vectors(world.images)
    return nb.principal_plane(pixels[world.indices("train")], pixels)


# ---------------------------------------------------------------- models/neural_networks/basics.py
def test_score_function_is_what_the_model_computes(shapes):
    world, data = shapes
    model, _ = nb.load("linear", world)
    pixels = data["test"][0][:5]
    with torch.no_grad():
        expected = model(pixels).numpy()
    for row, x in zip(expected, pixels.numpy()):
        scores = nb.linear_scores(model, x, true_class=2)
        np.testing.assert_allclose(scores.dot + scores.bias, row, rtol=1e-4, atol=1e-4)
        np.testing.assert_allclose(scores.probabilities.sum(), 1.0, rtol=1e-6)
        assert scores.loss == pytest.approx(-np.log(scores.probabilities[2]), rel=1e-5)
    contribution = nb.contributions(model, pixels[0].numpy(), 1, world.images.shape[1:])
    assert contribution.shape == (32, 32)
    assert contribution.sum() == pytest.approx(nb.linear_scores(model, pixels[0].numpy(), 1).dot[1], rel=1e-3, abs=1e-3)


@pytest.mark.parametrize("world_name, bar", [("shapes", 0.9), ("digits", 0.9)])
def test_default_networks_beat_chance_by_far_on_the_test_split(request, world_name, bar):
    world, data = request.getfixturevalue(world_name)
    chance = 1 / len(worlds.MAIN_CLASSES[world_name])
    for kind in nb.KINDS:
        model, meta = nb.load(kind, world)
        accuracy = nb.test_accuracy(model, data)
        print(
            f"{world_name} {kind}: test accuracy {accuracy:.3f} (chance {chance:.2f}), {meta['parameters']} parameters"
        )
        assert accuracy >= bar > 3 * chance
        assert meta["test_accuracy"] == pytest.approx(accuracy)


def test_gradient_descent_lowers_the_loss_and_play_reproduces_the_saved_model(digits):
    world, data = digits
    run = nb.start_run(data, 10)
    first_templates = run.weights[0].copy()
    for _ in range(nb.EPOCHS):
        nb.train_epoch(run, data)
    curves = run.curves
    assert run.epoch == nb.EPOCHS and len(run.weights) == nb.EPOCHS + 1
    assert curves.train_loss[-1] < 0.3 * curves.train_loss[0]
    assert curves.validation_loss[-1] < 0.3 * curves.validation_loss[0]
    assert curves.validation_accuracy[-1] > 0.9 > 0.3 > curves.validation_accuracy[0]
    np.testing.assert_array_equal(run.weights[0], first_templates)  # history is kept, not overwritten
    saved, _ = checkpoints.load(nb.name("linear", "digits"))
    for name, tensor in run.model.state_dict().items():
        torch.testing.assert_close(tensor, saved[name], rtol=1e-4, atol=1e-5)


def test_l2_pulls_the_weights_towards_zero_and_settings_change_between_epochs(digits):
    _, data = digits
    norms = {}
    for l2 in (0.0, 0.1):
        run = nb.start_run(data, 10)
        for _ in range(3):
            nb.train_epoch(run, data, lr=0.1, batch_size=64, l2=l2)
        norms[l2] = float(run.model.first_layer.weight.detach().norm())
    assert norms[0.1] < 0.8 * norms[0.0]
    run = nb.start_run(data, 10)
    nb.train_epoch(run, data, lr=0.0)
    np.testing.assert_array_equal(run.weights[1], run.weights[0])  # a zero learning rate does not move


def test_templates_look_like_their_class_only_after_training(shapes):
    world, data = shapes
    shape = world.images.shape[1:]
    untrained = nb.start_run(data, 4)
    trained, _ = nb.load("linear", world)
    means = nb.class_mean_maps(*data["train"], 4, shape)
    assert means.shape == (4, 32, 32)
    before = nb.template_match(nb.templates(untrained.weights[0], shape), means)
    after = nb.template_match(nb.templates(trained.first_layer.weight.detach().numpy(), shape), means)
    assert after.shape == (4, 4)
    assert (after.argmax(1) == np.arange(4)).all()
    assert np.diag(after).mean() > 0.4 > 0.1 > abs(np.diag(before).mean())
    facts = nb.template_summary(after)
    assert facts["hits"] == 4 and facts["own"] > facts["other"] + 0.4


@pytest.mark.parametrize("world_name", worlds.WORLD_NAMES)
def test_a_hidden_layer_separates_what_a_linear_network_cannot(request, world_name):
    world, _ = request.getfixturevalue(world_name)
    task = nb.NONLINEAR_TASK[world_name]
    train, test = world.indices("train"), world.indices("test")
    plane = _plane(world)
    labels = world.labels(task)
    k = len(world.classes[task])
    linear = nb.fit_plane(plane[train], labels[train], k)
    deep = nb.fit_plane(plane[train], labels[train], k, hidden=(8,))
    linear_accuracy = nb.plane_accuracy(linear, plane[test], labels[test])
    deep_accuracy = nb.plane_accuracy(deep, plane[test], labels[test])
    majority = np.bincount(labels[test]).max() / len(test)
    print(
        f"{world_name} {task}: linear {linear_accuracy:.3f}, 1 hidden x 8 ReLU {deep_accuracy:.3f}, "
        f"majority {majority:.3f}"
    )
    assert linear_accuracy < majority + 0.05  # no better than always guessing the commonest class
    assert deep_accuracy > linear_accuracy + 0.2 and deep_accuracy > 0.75
    assert nb.parameter_count(linear) == 2 * k + k


def test_position_is_linearly_separable_in_the_plane(shapes):
    world, _ = shapes
    train, test = world.indices("train"), world.indices("test")
    plane = _plane(world)
    labels = world.labels("position")
    linear = nb.fit_plane(plane[train], labels[train], len(worlds.POSITIONS))
    assert nb.plane_accuracy(linear, plane[test], labels[test]) > 0.95
    xs, ys, regions = nb.decision_regions(linear, (-1, -2), (1, 2), resolution=20)
    assert regions.shape == (20, 20) and xs[0] == -1 and ys[-1] == 2 and set(np.unique(regions)) <= set(range(5))


def test_curated_examples():
    probabilities = np.array([[0.9, 0.1], [0.55, 0.45], [0.2, 0.8], [0.97, 0.03]])
    examples = nb.curated_examples(probabilities, np.array([0, 0, 1, 1]))
    assert examples == {"confident": 0, "uncertain": 1, "mistake": 3}
    assert nb.curated_examples(probabilities[:3], np.array([0, 0, 1]))["mistake"] is None


def test_costs_of_learning_and_of_inference(shapes):
    world, data = shapes
    linear, meta = nb.load("linear", world)
    mlp, _ = nb.load("mlp", world)
    assert nb.parameter_count(linear) == meta["parameters"] == 32 * 32 * 3 * 4 + 4
    assert nb.multiply_adds(linear) == 32 * 32 * 3 * 4
    assert nb.multiply_adds(mlp) == 3072 * 64 + 64 * 4
    assert 0 < nb.inference_seconds(linear, data["test"][0][0].numpy()) < 0.1


def test_a_visitors_picture_becomes_a_world_input(digits):
    world, _ = digits
    photo = np.random.default_rng(0).integers(0, 256, (300, 200, 3), dtype=np.uint8)
    pixels = nb.fit_picture(photo, world)
    assert pixels.shape == (8, 8, 3) and pixels.dtype == np.uint8
    assert (pixels[..., 0] == pixels[..., 1]).all()  # Digits are grey
    big = figures.enlarged(pixels, 224)  # what the page shows: whole blocks, each pixel 28x28
    assert big.shape == (224, 224, 3) and (big[:28, :28] == pixels[0, 0]).all()


# ---------------------------------------------------------------- the page
def _png(pixels: np.ndarray) -> bytes:
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.fromarray(pixels).resize((96, 96)).save(out, format="PNG")
    return out.getvalue()


def _verdict(at) -> str:
    return next(m.value for m in at.markdown if "−log" in m.value)


def test_page_scores_examples_and_input_sources(app):
    at = app(PAGE)
    assert_clean(at)
    first = _verdict(at)
    at.number_input(key=key("sample")).set_value(5).run()
    assert _verdict(at) != first
    at.button(key=key("example_mistake")).click().run()
    mistake = _verdict(at)
    predicted, truth = (part.split("**")[1] for part in mistake.split(";")[:2])
    assert predicted != truth
    at.button(key=key("example_random")).click().run()
    at.button(key=key("example_confident")).click().run()
    at.session_state[key("numbers")] = True  # open "the numbers, neuron by neuron"
    at.run()
    table = next(m.value for m in at.markdown if m.value.startswith("| neuron"))
    assert table.count("\n") == 1 + len(worlds.SHAPES)
    assert any("adds up to w·x" in c.value for c in at.caption)
    at.radio(key=key("weights")).set_value("run").run()
    untrained_p = float(re.search(r"probability ([0-9.]+)", _verdict(at)).group(1))
    assert 0.1 < untrained_p < 0.45  # random weights: every class near 1/4
    at.radio(key=key("source")).set_value("upload").run()
    assert_clean(at)
    assert not any("−log" in m.value for m in at.markdown)  # nothing to score until a picture is uploaded
    at.file_uploader(key=key("upload")).set_value(("notes.txt", b"not a picture", "text/plain")).run()
    assert_clean(at)
    assert at.error and not any("−log" in m.value for m in at.markdown)
    at.file_uploader(key=key("upload")).set_value(
        ("star.png", _png(worlds.draw_shape("star", "blue", "large", "left")), "image/png")
    ).run()
    at.selectbox(key=key("upload_truth")).set_value(3).run()
    assert_clean(at)
    assert "true label **star**" in _verdict(at)


def test_page_trains_live_step_play_pause_reset(app):
    at = app(PAGE, world="digits")
    run = lambda: at.session_state[key("run")][1]
    at.button(key=key("step_epoch")).click().run()
    assert run().epoch == 1 and at.session_state[key("weights")] == "run"
    at.select_slider(key=key("lr")).set_value(0.3).run()
    at.select_slider(key=key("batch")).set_value(64).run()
    at.select_slider(key=key("l2")).set_value(0.001).run()
    at.slider(key=key("epochs")).set_value(4).run()
    at.button(key=key("play")).click().run()  # each run of the page while playing is one tick of training
    assert at.session_state[key("playing")] and run().epoch >= 2
    for _ in range(5):
        if at.session_state[key("playing")]:
            at.run()
    assert run().epoch == 4 and not at.session_state[key("playing")]  # stops at the chosen number of epochs
    assert at.button(key=key("play")).disabled
    at.slider(key=key("shown_epoch")).set_value(1).run()
    assert any("At epoch 1," in c.value for c in at.caption)
    assert any("in 4 epochs" in c.value for c in at.caption)
    at.button(key=key("reset")).click().run()
    assert run().epoch == 0
    at.number_input(key="seed").set_value(1).run()  # another world: its default networks are trained now
    assert at.session_state[key("run")][0] == ("digits", 1)
    assert_clean(at)


def test_page_depth_controls_change_the_networks(app):
    at = app(PAGE)
    titles = lambda: [c.value for c in at.caption if c.value.startswith("Test accuracy")]
    default = titles()
    assert len(default) == 2 and default[0] != default[1]
    at.slider(key=key("layers")).set_value(0).run()
    assert titles()[0] == titles()[1]  # no hidden layer: the same linear network twice
    at.slider(key=key("layers")).set_value(2).run()
    at.select_slider(key=key("width")).set_value(4).run()
    at.selectbox(key=key("activation")).set_value("tanh").run()
    at.selectbox(key=key("task")).set_value("position").run()
    assert any("→ 4 → 4 → 5" in c.value for c in at.caption)
    assert_clean(at)
    at.selectbox(key="world").set_value("digits").run()
    assert at.session_state[key("task")] == "magnitude"
    assert_clean(at)


def test_presenter_steps_move_the_widgets(app):
    at = app(PAGE, present=True)
    for expected in (
        {key("weights"): "run"},
        {key("weights"): "trained"},
        {key("layers"): 0},
        {key("layers"): 1, key("width"): 8},
    ):
        press_next(at)
        assert_clean(at)
        for name, value in expected.items():
            assert at.session_state[name] == value


def test_without_an_activation_stacked_layers_are_one_affine_map():
    """The page's "none" activation: hidden layers without a non-linearity collapse into one linear
    layer, so the boundary stays straight however deep the network."""
    from models.core import classifiers

    torch.manual_seed(0)
    deep = classifiers.MLP(2, 3, (8, 8), "none")
    x, y = torch.randn(5, 2), torch.randn(5, 2)
    for a in (0.0, 0.3, 1.0, 2.5):
        assert torch.allclose(deep(a * x + (1 - a) * y), a * deep(x) + (1 - a) * deep(y), atol=1e-5)
    bent = classifiers.MLP(2, 3, (8, 8), "relu")
    assert not torch.allclose(bent(0.5 * x + 0.5 * y), 0.5 * bent(x) + 0.5 * bent(y), atol=1e-3)
