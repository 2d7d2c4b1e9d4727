"""The "look inside" views: each one's final number is the model's own output for that sample (the
neuron's softmax is the network's probability, the attention row is the captioner's own attention and
head output, the DTW cell is librosa's accumulated cost and lies on its path, the mel row's sum is
librosa's mel spectrogram), and each opens from its page through the router and steps without error."""

import copy

import numpy as np
import pytest
import torch
from test_app import assert_clean

from components import drilldown
from models.alignment import drilldown as ad
from models.alignment import explicit as al
from models.captioning import captioners as captioning
from models.captioning import drilldown as cd
from models.captioning import scenes
from models.core import features, worlds
from models.neural_networks import basics as nb
from models.neural_networks import drilldown as nd
from models.spectrograms import analysis as sp
from models.spectrograms import drilldown as sd


@pytest.fixture(scope="module")
def shapes():
    return worlds.make_world("shapes", 0)


# ---------------------------------------------------------------- one neuron
@pytest.mark.parametrize("world_name", ["shapes", "digits"])
def test_neuron_steps_end_in_the_networks_own_probability(world_name):
    world = worlds.make_world(world_name, nb.TRAIN_SEED)
    model, _ = nb.load("linear", world)
    test = world.indices("test")[:6]
    pixels = features.image_vectors(world.images[test])
    probabilities = nb.predict(model, pixels)
    with torch.no_grad():
        logits = model(torch.from_numpy(pixels)).numpy()
    for row, x in enumerate(pixels):
        for k in range(len(worlds.MAIN_CLASSES[world_name])):
            found = nd.neuron(model, x, k, world.images.shape[1:])
            assert found.product.sum() == pytest.approx(found.dot, abs=1e-3)  # w ⊙ x over the pixels is w·x
            assert found.dot + found.bias == pytest.approx(found.score, abs=1e-6)
            assert found.score == pytest.approx(logits[row, k], abs=1e-4)
            assert found.exponentials[k] / found.exponentials.sum() == pytest.approx(found.probability, rel=1e-6)
            assert found.probability == pytest.approx(probabilities[row, k], abs=1e-5)


# ---------------------------------------------------------------- one attention row
@pytest.fixture(scope="module")
def captioned(shapes):
    generator = captioning.load_generator()
    image = shapes.images[scenes.split_indices(shapes, "test")[0]]
    return generator, image, captioning.generate(generator, image[None])[0].words


def _model_attention(generator, image, words, layer):
    """The captioner's own output attentions for the whole caption (one teacher-forced pass, eager
    attention), and what layer `layer`'s cross-attention hands its output projection."""
    model = copy.deepcopy(generator.model)
    merged = {}
    attention = model.decoder.transformer.h[layer].crossattention
    attention.c_proj.register_forward_pre_hook(lambda m, inputs: merged.__setitem__("x", inputs[0]))
    ids = torch.tensor([[captioning.BOS, *generator.vocabulary.encode(" ".join(words))[:-1]]])
    with torch.no_grad():
        out = model(pixel_values=captioning.pixel_tensor(image[None]), decoder_input_ids=ids, output_attentions=True)
    return out.cross_attentions[layer][0].numpy(), merged["x"][0].numpy()


@pytest.mark.parametrize("layer", range(captioning.LAYERS))
def test_attention_row_is_the_captioners_own_attention_and_head_output(captioned, layer):
    generator, image, words = captioned
    attention, merged = _model_attention(generator, image, words, layer)  # (heads, words, keys), (words, width)
    d = captioning.WIDTH // captioning.HEADS
    assert generator.model.config.decoder._attn_implementation == "eager"
    for head in range(captioning.HEADS):
        for word in (0, len(words) // 2, len(words) - 1):
            row = cd.attention_row(generator, image, words, word, layer, head)
            assert row.scale == pytest.approx(1 / np.sqrt(d))
            np.testing.assert_allclose(row.scores, row.keys @ row.query, rtol=1e-5)
            np.testing.assert_allclose(row.scaled, row.scores / np.sqrt(d), rtol=1e-5)
            np.testing.assert_allclose(row.weights, attention[head, word], atol=1e-6)
            np.testing.assert_allclose(row.output, merged[word, head * d : (head + 1) * d], atol=1e-5)
            assert len(row.weights) == 1 + captioning.PATCH_GRID**2 and row.weights.sum() == pytest.approx(1.0)


def test_attention_row_leaves_the_shared_captioner_alone(captioned):
    generator, image, words = captioned
    cd.attention_row(generator, image, words, 0, 0, 0)
    for module in generator.model.modules():
        assert not module._forward_hooks and not module._forward_pre_hooks


# ---------------------------------------------------------------- one DTW cell
@pytest.mark.parametrize(
    "settings",
    [al.Settings(), al.Settings(pattern="symmetric2", tempo=1.3), al.Settings(pattern="slope", band=0.25)],
    ids=["symmetric1", "symmetric2", "slope-band"],
)
def test_dtw_cell_is_librosas_accumulated_cost_and_its_choice_is_the_path(shapes, settings):
    words = al.words_of(shapes.captions[int(scenes.split_indices(shapes, "test")[1])])
    found = al.align(words, settings, seed=1)
    assert found.path is not None
    theirs, their_path = al.librosa_dtw(found.cost.astype(np.float64), settings.pattern, settings.band)
    np.testing.assert_array_equal(found.path, their_path)
    for k in np.linspace(1, len(found.path) - 1, 9).astype(int):
        i, j = found.path[k]
        cell = ad.dtw_cell(found.cost, settings.pattern, settings.band, i, j)
        assert cell.accumulated == pytest.approx(theirs[i, j], rel=1e-9)
        assert cell.accumulated == pytest.approx(cell.candidates.min()) == cell.candidates[cell.choice]
        assert cell.back_pointer == tuple(their_path[k - 1])  # the back-pointer is the path's previous cell
        assert cell.window_accumulated[i - cell.rows[0], j - cell.columns[0]] == cell.accumulated
    corner = ad.dtw_cell(found.cost, settings.pattern, settings.band, *found.path[-1])
    assert corner.accumulated == pytest.approx(found.total, rel=1e-5)  # the total the page reports


# ---------------------------------------------------------------- one mel filter
@pytest.mark.parametrize(
    "source, n_fft, fraction, n_mels",
    [("shape:square:red:small", 256, 4, 40), ("dtmf:5", 512, 2, 64), ("speech:sea_shells_en", 1024, 4, 80)],
)
def test_mel_row_sum_is_librosas_mel_spectrogram(source, n_fft, fraction, n_mels):
    import librosa

    y, sr = sp.sound(source)
    hop = sp.hop_length(n_fft, fraction)
    power = sp.power(y, n_fft, hop, "hann")
    theirs = librosa.feature.melspectrogram(
        y=y, sr=sr, n_fft=n_fft, hop_length=hop, window="hann", center=False, power=2.0, n_mels=n_mels
    )  # no centring, as the page frames its windows; librosa leaves out the zero-padded last window
    spec = sp.analyse(power, sr, n_fft, hop, "mel", n_mels, 80)
    for frame in np.linspace(0, theirs.shape[1] - 1, 5).astype(int):
        band = sd.loudest_band(power, sr, n_fft, n_mels, frame)
        for b in {band, 0, n_mels // 2, n_mels - 1}:
            row = sd.mel_row(power, sr, n_fft, n_mels, 80, b, frame)
            assert row.total == pytest.approx(float(theirs[b, frame]), rel=1e-4, abs=1e-9)
            assert row.products.sum() == pytest.approx(row.total)
            assert row.db == spec.db[b, frame]  # the colour of that cell on the page
            assert np.all(row.weights[row.inside] > 0) and row.edges_hz[0] < row.edges_hz[1] < row.edges_hz[2]


# ---------------------------------------------------------------- figures
def test_figures_build_from_plain_numbers():
    z = np.arange(12.0).reshape(3, 4) - 5
    assert drilldown.pixel_map(z, "x", "v").data[0].zmid == 0
    assert drilldown.score_parts(["a", "b", "c"], [1.0, -0.5, 0.5], "t", "s").data[0].measure[-1] == "total"
    assert drilldown.vectors(z, ["a", "b", "c"], "t", "v", highlight=1).layout.shapes
    assert drilldown.grid_values(z, "t", "v", diverging=False).data[0].texttemplate
    window = drilldown.cell_window(
        np.where(z > 0, z, np.nan), [4, 5, 6], [7, 8, 9, 10], (5, 8), "t", "x", "y", "c", [(4, 7)], [(5, 8)], (4, 7)
    )
    assert window.data[0].text[0][0] == "" and len(window.layout.shapes) == 2 and window.layout.annotations
    hz = np.linspace(0, 4, 9)
    assert drilldown.filter_over_bins(hz, hz, hz, "t", "x", "p", "w", hz, "wp").data[0].name == "wp"
    assert drilldown.spectrum_with_band(hz, -hz, (1.0, 2.0), "t", "x", "y").layout.shapes
    assert drilldown.column_bars([-3.0, 0.0], 1, "t", "x", "y", -80.0).data[0].base == -80.0


# ---------------------------------------------------------------- the pages
def _step_through(at, key: str, steps: int) -> list[str]:
    """Next through every step, then Back once and Play; the step lines seen, in order."""
    seen = []
    for n in range(steps):
        assert_clean(at)
        seen.append(next(m.value for m in at.markdown if m.value.startswith("**Step")))
        assert seen[-1].startswith(f"**Step {n + 1} of {steps}**")
        if n < steps - 1:
            at.button(key=f"{key}.next").click().run()
    assert at.button(key=f"{key}.next").disabled
    at.button(key=f"{key}.back").click().run()
    assert at.session_state[f"{key}.step"] == steps - 2
    at.button(key=f"{key}.play").click().run()
    assert at.session_state[f"{key}.playing"]
    at.session_state[f"{key}.due"] = 0.0  # the next tick is due now
    at.run()
    assert at.session_state[f"{key}.step"] == steps - 1 and not at.session_state[f"{key}.playing"]  # stops at the end
    assert_clean(at)
    return seen


def test_neuron_opens_under_the_scores_and_steps(app):
    at = app("neural_networks")
    key = "neural_networks.look_neuron"
    assert not any(m.value.startswith("**Step") for m in at.markdown)  # closed: nothing computed
    at.session_state[key] = True
    at.run()
    seen = _step_through(at, key, 5)
    assert len(set(seen)) == 5
    shown = next(m.value for m in at.markdown if "p(" in m.value)
    other = (at.selectbox(key=f"{key}.class").value + 1) % len(worlds.SHAPES)
    at.selectbox(key=f"{key}.class").set_value(other).run()
    assert next(m.value for m in at.markdown if "p(" in m.value) != shown
    at.radio(key="neural_networks.weights").set_value("run").run()  # an untrained run's neuron
    assert_clean(at)


def test_attention_row_opens_under_the_words_and_steps(app):
    at = app("captioning", lang="zh-Hans")
    key = "captioning.look_attention"
    at.session_state[key] = True
    at.run()
    at.session_state[f"{key}.step"] = 0
    at.run()
    assert_clean(at)
    at.radio(key=f"{key}.word").set_value(2).run()
    at.selectbox(key=f"{key}.layer").set_value(1).run()
    at.selectbox(key=f"{key}.head").set_value(3).run()
    for _ in range(4):
        at.button(key=f"{key}.next").click().run()
        assert_clean(at)
    assert any(m.value.startswith("**第 5 步，共 5 步**") for m in at.markdown)
    assert any("加权和" in m.value for m in at.markdown)


def test_dtw_cell_opens_under_the_matrix_and_steps(app):
    at = app("alignment")
    key = "alignment.look_cell"
    at.session_state[key] = True
    at.run()
    _step_through(at, key, 5)
    at.slider(key=f"{key}.position").set_value(2).run()
    assert_clean(at)
    at.selectbox(key="alignment.pattern").set_value("slope").run()
    at.slider(key="alignment.tempo").set_value(0.5).run()  # no path fits: the view says so
    assert_clean(at)


def test_mel_row_opens_under_the_mel_spectrogram_and_steps(app):
    at = app("spectrograms")
    key = "spectrograms.look_mel"
    at.radio(key="spectrograms.scale").set_value("mel").run()
    at.session_state[key] = True
    at.run()
    _step_through(at, key, 4)
    at.slider(key=f"{key}.band").set_value(1).run()
    at.slider(key="spectrograms.n_mels").set_value(128).run()  # more bands than a short window's bins fill
    at.select_slider(key="spectrograms.n_fft").set_value(64).run()
    at.button(key=f"{key}.back").click().run()
    assert_clean(at)
