"""The "look inside" views: each one's final number is the model's own output for that sample (the
neuron's softmax is the network's probability, the attention row is the captioner's own attention and
head output, the DTW cell is librosa's accumulated cost and lies on its path, the mel row's sum is
librosa's mel spectrogram)."""

import copy

import numpy as np
import pytest
import torch

from models import alignment as al
from models import alignment_drilldown as ad
from models import captioning, features, worlds
from models import captioning_drilldown as cd
from models import captioning_scenes as scenes
from models import nn_basics as nb
from models import nn_drilldown as nd
from models import spectrograms as sp
from models import spectrograms_drilldown as sd


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
