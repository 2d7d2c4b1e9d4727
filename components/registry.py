"""The one place where shared, cached objects are made: worlds, features and models.

Everything here is shared by every visitor of the server, so every array is made read-only before
it is handed out: a page that wants to change something must copy it first (training trains a copy).
Each cached function wraps a plain loader in models/, which is where the real work is tested.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from models import worlds


def freeze(*arrays: np.ndarray) -> None:
    for array in arrays:
        array.flags.writeable = False


@st.cache_resource(max_entries=4, show_spinner=False)
def world(name: str, seed: int) -> worlds.World:
    """A world shared by all visitors who chose the same name and seed."""
    made = worlds.make_world(name, seed)
    freeze(made.images, made.audio, made.split, *made.attributes.values())
    return made


@st.cache_resource(max_entries=8, show_spinner=False)
def log_mel(name: str, seed: int) -> np.ndarray:
    """Every sample's log-mel spectrogram, (N, mels, frames), computed once per world."""
    from models import audio

    w = world(name, seed)
    features = audio.log_mel(w.audio, w.sample_rate)
    freeze(features)
    return features


@st.cache_resource(max_entries=2, show_spinner=False)
def sound_model(world_name: str):
    """A world's default sound classifier (models/unimodal.py: an MLP on the unrolled log-mel),
    loaded once and shared: frozen, in inference mode. Returns (model, metadata)."""
    from models import unimodal

    model, meta = unimodal.load("sound", world_name)
    model.requires_grad_(False)
    return model, meta


@st.cache_resource(max_entries=16, show_spinner=False)
def speech_clip(clip_id: str) -> np.ndarray:
    """One of the committed speech clips (assets/speech/, 16 kHz mono), read once."""
    from models import spectrograms

    samples = spectrograms.load_speech(clip_id)
    freeze(samples)
    return samples


@st.cache_resource(max_entries=4, show_spinner=False)
def nn_data(world_name: str, seed: int) -> dict:
    """A world's unrolled pixels and main labels per split, as torch tensors (models/nn_basics.py).
    Shared: training runs only read them."""
    from models import nn_basics

    return nn_basics.pixel_splits(world(world_name, seed))


@st.cache_resource(max_entries=8, show_spinner=False)
def nn_model(world_name: str, seed: int, kind: str):
    """A default pixel network ("linear" or "mlp") of models/nn_basics.py with its metadata: read from
    disk for the training seed, trained once for any other seed. Frozen, in inference mode."""
    from models import nn_basics

    model, meta = nn_basics.load(kind, world(world_name, seed))
    model.requires_grad_(False)
    return model, meta


@st.cache_resource(max_entries=4, show_spinner=False)
def nn_class_means(world_name: str, seed: int) -> np.ndarray:
    """Each main class's average training picture minus the overall average, (K, H, W): what the page
    compares the templates with."""
    from models import nn_basics

    w = world(world_name, seed)
    x, y = nn_data(world_name, seed)["train"]
    maps = nn_basics.class_mean_maps(x, y, len(worlds.MAIN_CLASSES[world_name]), w.images.shape[1:])
    freeze(maps)
    return maps


@st.cache_resource(max_entries=4, show_spinner=False)
def nn_plane(world_name: str, seed: int) -> np.ndarray:
    """Every sample's first two principal components of the pixels, (N, 2), fitted on the training split."""
    from models import features, nn_basics

    w = world(world_name, seed)
    pixels = features.image_vectors(w.images)
    plane = nn_basics.principal_plane(pixels[w.indices("train")], pixels)
    freeze(plane)
    return plane


@st.cache_resource(max_entries=64, show_spinner=False)
def nn_plane_model(world_name: str, seed: int, attribute: str, hidden: tuple[int, ...], activation: str) -> dict:
    """A network trained on the 2-D view to predict `attribute`, with its test accuracy and the class it
    predicts on a grid (the decision regions). Small and quick, so every architecture tried is kept."""
    from models import nn_basics

    w, plane = world(world_name, seed), nn_plane(world_name, seed)
    labels = w.labels(attribute)
    train, test = w.indices("train"), w.indices("test")
    model = nn_basics.fit_plane(plane[train], labels[train], len(w.classes[attribute]), hidden, activation, seed)
    low, high = plane.min(0) - 0.3, plane.max(0) + 0.3
    xs, ys, regions = nn_basics.decision_regions(model, tuple(low), tuple(high))
    freeze(xs, ys, regions)
    return {
        "accuracy": nn_basics.plane_accuracy(model, plane[test], labels[test]),
        "xs": xs,
        "ys": ys,
        "regions": regions,
        "parameters": nn_basics.parameter_count(model),
    }


@st.cache_resource(max_entries=12, show_spinner=False)
def representation_model(world_name: str, strength: float | None):
    """The joint model (strength None) or the coordinated one trained at `strength`, from models/weights."""
    from models import representation

    return representation.load(world_name, strength)


@st.cache_resource(max_entries=4, show_spinner=False)
def representation_inputs(world_name: str, seed: int, split: str) -> dict:
    """The "test" split, or the "train" samples the models learned from, as the representation models
    read them (image, bag of words, pooled spectrogram). Torch tensors cannot be made read-only: do not change them."""
    from models import representation

    w = world(world_name, seed)
    rows = representation.training_indices(w) if split == "train" else w.indices("test")
    return representation.world_inputs(w, representation_model(world_name, None).dictionary, rows)


@st.cache_resource(max_entries=16, show_spinner=False)
def representation_vectors(world_name: str, seed: int, strength: float | None) -> dict[str, np.ndarray]:
    """The test split embedded: modality -> (n_test, D) for a coordinated model, "joint" -> (n_test, D)."""
    from models import representation

    model, inputs = representation_model(world_name, strength), representation_inputs(world_name, seed, "test")
    if model.joint:
        vectors = {"joint": representation.joint_embeddings(model, inputs, {})[representation.MODALITIES]}
    else:
        vectors = representation.modality_embeddings(model, inputs)
    freeze(*vectors.values())
    return vectors


@st.cache_resource(max_entries=16, show_spinner=False)
def representation_report(world_name: str, seed: int, strength: float) -> dict:
    """A coordinated model's test numbers: alignment, zero-shot, and recall for each retrieval direction."""
    from models import representation

    w, vectors = world(world_name, seed), representation_vectors(world_name, seed, strength)
    return {
        "summary": representation.headline(representation_model(world_name, strength), w, vectors),
        "retrieval": {pair: representation.retrieval(w, vectors, *pair) for pair in representation.RETRIEVALS},
    }


@st.cache_resource(max_entries=32, show_spinner=False)
def representation_missing(world_name: str, seed: int, strength: float | None, attribute: str) -> dict:
    """Probe accuracy for `attribute` with each set of modalities present (see representation.SCENARIOS)."""
    from models import representation

    return representation.missing_modality(
        representation_model(world_name, strength),
        world(world_name, seed),
        representation_inputs(world_name, seed, "train"),
        representation_inputs(world_name, seed, "test"),
        attribute,
    )


@st.cache_resource(max_entries=48, show_spinner=False)
def representation_projection(world_name: str, seed: int, strength: float | None, method: str, dims: int) -> np.ndarray:
    """2-D or 3-D coordinates of the drawn test samples: one block of rows per modality (image, text,
    sound) for a coordinated model, one for the joint model. Computed once per setting: t-SNE is slow."""
    from models import representation

    vectors = representation_vectors(world_name, seed, strength)
    drawn = representation.projection_positions(len(world(world_name, seed).indices("test")))
    coordinates = representation.project(np.concatenate([v[drawn] for v in vectors.values()]), method, dims, seed)
    freeze(coordinates)
    return coordinates


# ---------------------------------------------------------------- unimodal page
@st.cache_resource(max_entries=12, show_spinner=False)
def unimodal_dataset(world_name: str, seed: int, modality: str, task: str):
    """One modality of one task as vectors, split three ways (task: a world attribute, or
    "sentiment": the shipped sentences, split by `seed`)."""
    from models import unimodal_classic, unimodal_text

    if task == unimodal_text.SENTIMENT:
        data = unimodal_text.sentiment_dataset(seed)
    else:
        data = unimodal_classic.dataset(world(world_name, seed), modality, task)
    freeze(data.x, data.y, data.split)
    return data


@st.cache_resource(max_entries=16, show_spinner=False)
def unimodal_neighbours(world_name: str, seed: int, modality: str, task: str, metric: str, splits: tuple[str, ...]):
    """The nearest training samples of every sample of `splits` (test, or validation and test), for one distance."""
    from models import unimodal_classic

    found = unimodal_classic.held_out_neighbours(unimodal_dataset(world_name, seed, modality, task), metric, splits)
    freeze(found.index, found.distance, found.query)
    return found


@st.cache_resource(max_entries=32, show_spinner=False)
def unimodal_logistic(world_name: str, seed: int, modality: str, task: str, C: float):
    """Logistic regression (maximum entropy) fitted on the training split; shared, so never refit it."""
    from models import unimodal_classic

    return unimodal_classic.fit_logistic(*unimodal_dataset(world_name, seed, modality, task).part("train"), C)


@st.cache_resource(max_entries=6, show_spinner=False)
def unimodal_net(modality: str, world_name: str, kind: str):
    """A default network (weights from disk), frozen, in inference mode. Returns (model, metadata)."""
    from models import unimodal

    model, meta = unimodal.load(modality, world_name, kind=kind)
    model.requires_grad_(False)
    return model, meta


@st.cache_resource(max_entries=12, show_spinner=False)
def unimodal_net_test(world_name: str, seed: int, modality: str, kind: str) -> np.ndarray:
    """A default network's class probabilities for every test sample of the world, (n_test, C)."""
    from models import classifiers, unimodal

    w = world(world_name, seed)
    rows = w.indices("test")
    if modality == "image":
        raw = w.images[rows]
    else:
        raw = unimodal_dataset(world_name, seed, "sound", worlds.MAIN_ATTRIBUTE[world_name]).x[rows]
    net = unimodal_net(modality, world_name, kind)[0]
    proba = classifiers.predict_proba(net, unimodal.net_input(modality, kind, raw))
    freeze(proba)
    return proba


@st.cache_resource(max_entries=6, show_spinner=False)
def unimodal_cost(world_name: str, seed: int, modality: str, run: int):
    """Measured training and prediction times of nearest neighbour and logistic regression as the
    training set grows; `run` makes a new measurement when the visitor asks for one."""
    from models import nearest

    data = unimodal_dataset(world_name, seed, modality, worlds.MAIN_ATTRIBUTE[world_name])
    x_train, y_train = data.part("train")
    return nearest.measure_cost(x_train, y_train, data.part("test")[0], nearest.cost_sizes(len(x_train)))


@st.cache_resource(max_entries=12, show_spinner=False)
def fusion_levels(world_name: str, seed: int, modality: str) -> np.ndarray:
    """One modality's test features at every noise level of the fusion lab, computed once per world."""
    from models import fusion_lab

    features = fusion_lab.level_features(world(world_name, seed), modality)
    freeze(features)
    return features


def fusion_bank(world_name: str, seed: int, modalities: tuple[str, ...]):
    """The fusion lab's test bank for some modalities, assembled from the cached levels (cheap)."""
    from models import fusion, fusion_lab

    w = world(world_name, seed)
    return fusion_lab.Bank(
        world_name,
        {m: fusion_levels(world_name, seed, m) for m in modalities},
        fusion.split_key(w, "test"),
        w.indices("test"),
    )


@st.cache_resource(show_spinner=False)
def _fusion_labs() -> dict:
    """The fusion labs in memory, shared by every visitor; a plain store rather than a cached function,
    because training reports to a progress bar drawn by the page, which a cached function cannot replay."""
    import threading
    from collections import OrderedDict

    return {"lock": threading.Lock(), "labs": OrderedDict()}


def fusion_models(world_name: str, seed: int, task: str, subset: str, progress=None):
    """Every fusion strategy of one task and modality subset (models/fusion.py): read from disk for the
    training seed, trained once (seconds, reported to `progress`) for another. Frozen, in inference mode."""
    from models import fusion_lab

    store = _fusion_labs()
    key = (world_name, seed, task, subset)
    with store["lock"]:
        if key not in store["labs"]:
            lab = fusion_lab.load_lab(world_name, task, subset, seed, progress or (lambda fraction, message: None))
            for model in lab.models.values():
                model.requires_grad_(False)
            freeze(*lab.mean.values(), *lab.std.values())
            store["labs"][key] = lab
            while len(store["labs"]) > 16:
                store["labs"].popitem(last=False)
        return store["labs"][key]


@st.cache_resource(max_entries=16, show_spinner=False)
def fusion_curves(world_name: str, seed: int, task: str, subset: str) -> dict:
    """Accuracy of every strategy at every noise level of each modality: the robustness curves, once."""
    from models import fusion_lab

    return fusion_lab.curves(
        fusion_models(world_name, seed, task, subset), fusion_bank(world_name, seed, tuple(subset.split("+")))
    )


@st.cache_resource(max_entries=2, show_spinner=False)
def photo(name: str) -> np.ndarray:
    """A real photograph that ships inside scikit-learn ("china" or "flower"), (H, W, 3) uint8."""
    from sklearn.datasets import load_sample_image

    photo = load_sample_image(f"{name}.jpg")
    freeze(photo)
    return photo


@st.cache_resource(max_entries=11, show_spinner=False)
def fusion_captions(world_name: str, seed: int, level: float) -> list[str]:
    """The test captions as the fusion lab corrupted them at `level`, to show them."""
    from models import fusion, fusion_lab

    w = world(world_name, seed)
    return fusion_lab.corrupted("text", fusion.raw(w, "text", w.indices("test")), level)


@st.cache_data(max_entries=256, show_spinner=False)
def _figure_spec(builder: str, args: tuple, kwargs: dict) -> dict:
    from components import figures

    return getattr(figures, builder)(*args, **kwargs).to_dict()


def figure(builder: str, *args, **kwargs):
    """figures.<builder>(*args, **kwargs), built and validated once per distinct input, then rebuilt from
    the cached spec without validation: ~1 ms instead of the 10-50 ms that Plotly spends checking a
    figure built from scratch, which is most of a rerun's cost on a page with several charts."""
    import plotly.graph_objects as go

    spec = _figure_spec(builder, args, kwargs)
    return go.Figure(spec["data"], spec["layout"], _validate=False)


# ---------------------------------------------------------------- captioning page
@st.cache_resource(show_spinner=False)
def captioners():
    """The generative captioner (models/captioning.py, weights from disk) and the example dictionary
    built from the same training pictures; shared, frozen. Returns (generator, dictionary)."""
    from models import captioning

    generator = captioning.load_generator()
    generator.model.requires_grad_(False)
    dictionary = captioning.dictionary_from(world("shapes", captioning.TRAIN_SEED))
    freeze(dictionary.mean, dictionary.basis, dictionary.embeddings)
    return generator, dictionary


@st.cache_data(max_entries=256, show_spinner=False)
def captions(image: np.ndarray, method: str, beams: int, temperature: float, k: int, seed: int) -> dict:
    """Every captioner's caption of one (H, W, 3) picture: captioner -> captioning.Caption."""
    from models import captioning

    return {
        name: found[0]
        for name, found in captioning.caption_all(
            *captioners(), image[None], method, beams, temperature, k, seed
        ).items()
    }


@st.cache_resource(max_entries=4, show_spinner=False)
def caption_stress(seed: int) -> tuple[dict, dict]:
    """The stress sets of the Shapes world with this seed, and every captioner's captions and scores on
    them (greedy decoding, k = DEFAULT_K). Returns (name -> StressSet, name -> captioner -> Result)."""
    from models import captioning, captioning_scenes

    w = world("shapes", seed)
    sets = {name: captioning_scenes.stress_set(name, w, seed) for name in captioning_scenes.STRESS_SETS}
    for stress in sets.values():
        freeze(stress.images)
    return sets, captioning.evaluate(*captioners(), list(sets.values()))


@st.cache_resource(show_spinner=False)
def caption_cost() -> dict:
    """Memory and time per caption of retrieval as its dictionary grows, and of the generative model:
    measured once per server, on its own hardware."""
    from models import captioning

    generator, dictionary = captioners()
    return captioning.cost(generator, dictionary, world("shapes", captioning.TRAIN_SEED).images[0])


@st.cache_resource(max_entries=4, show_spinner=False)
def fusion_dictionary(world_name: str, seed: int):
    """The fusion lab's text dictionary (the words of a world's training captions), fitted once."""
    from models import fusion

    return fusion.dictionary(world(world_name, seed))


# ---------------------------------------------------------------- alignment page
@st.cache_resource(max_entries=64, show_spinner=False)
def alignment_explicit(words: tuple[str, ...], settings, seed: int):
    """One DTW forced alignment (models/alignment.py) of spoken words to their transcript, for these settings."""
    from models import alignment

    found = alignment.align(list(words), settings, seed)
    freeze(found.cost, found.recording.audio, found.reader.audio)
    return found


@st.cache_resource(show_spinner=False)
def _alignment_measurements() -> dict:
    """Boundary errors on the test split, per seed and settings, measured when a visitor asks: shared."""
    import threading
    from collections import OrderedDict

    return {"lock": threading.Lock(), "found": OrderedDict()}


def alignment_measurement(seed: int, settings, noises: tuple[float, ...], count: int, progress=None) -> dict | None:
    """Mean boundary error of every feature at every noise level over `count` test captions (see
    alignment.evaluate): measured now if `progress` is given (seconds, reported to it), else only looked up."""
    from models import alignment

    store = _alignment_measurements()
    key = (seed, settings, noises, count)
    with store["lock"]:
        if key not in store["found"] and progress is not None:
            captions = alignment.held_out_captions(world("shapes", seed), count)
            store["found"][key] = alignment.evaluate(captions, settings, noises, progress)
            while len(store["found"]) > 32:
                store["found"].popitem(last=False)
        return store["found"].get(key)


@st.cache_resource(max_entries=64, show_spinner=False)
def alignment_attention(image: np.ndarray):
    """The generative captioner's caption of one picture and its cross-attention (captioning.AttentionCaption)."""
    from models import captioning

    found = captioning.caption_with_attention(captioners()[0], image)
    freeze(found.probabilities, found.cross_attention)
    return found


@st.cache_resource(max_entries=4, show_spinner=False)
def alignment_attention_by_slot(seed: int) -> dict:
    """Where the captioner looks for each word of the true caption, over the whole captioning test split."""
    from models import alignment, captioning_scenes

    w = world("shapes", seed)
    found = alignment.attention_by_slot(captioners()[0], w, captioning_scenes.split_indices(w, "test"))
    freeze(*found.values())
    return found


@st.cache_resource(max_entries=64, show_spinner=False)
def alignment_word_regions(image: np.ndarray, word: str) -> tuple[float, np.ndarray]:
    """The coordinated model's word-picture cosine and its drop per hidden patch (occlusion sensitivity)."""
    from models import alignment, representation

    similarity, drop = alignment.word_region_similarity(
        representation_model("shapes", representation.DEFAULT_STRENGTH), image, word
    )
    freeze(drop)
    return similarity, drop


# ---------------------------------------------------------------- co-learning page
@st.cache_resource(max_entries=10, show_spinner=False)
def colearning_sounds(world_name: str, seed: int, noise: float):
    """The training and test sounds with white noise at `noise`, as the co-learning student hears them."""
    from models import colearning

    data = colearning.sounds(world(world_name, seed), noise)
    freeze(data.train, data.test, data.train_labels, data.test_labels, data.test_features, data.mean, data.std)
    return data


@st.cache_resource(max_entries=16, show_spinner=False)
def colearning_teacher(world_name: str, seed: int, level: int) -> np.ndarray:
    """The picture model's class probabilities for every training pair, (n_train, C), its pictures seen
    through the pixel noise of teacher `level` (0: clean)."""
    from models import colearning, unimodal

    w = world(world_name, seed)
    teacher = unimodal_net("image", world_name, unimodal.default_kind("image"))[0]
    probabilities = colearning.teacher_probabilities(
        teacher, w.images[w.indices("train")], colearning.TEACHER_NOISE[world_name][level], seed
    )
    freeze(probabilities)
    return probabilities


@st.cache_data(max_entries=64, show_spinner=False)
def colearning_curves(world_name: str, seed: int, noise: float, level: int):
    """Every student of one setting (sound noise, teacher level): both curves, for every label budget and
    label-noise rate, so moving those two sliders only reads this (colearning.Curves)."""
    from models import colearning

    return colearning.curves(
        colearning_sounds(world_name, seed, noise), colearning_teacher(world_name, seed, level), seed
    )


@st.cache_resource(max_entries=10, show_spinner=False)
def colearning_zero_shot(world_name: str, seed: int, noise: float) -> np.ndarray:
    """The class that zero-shot (no sound labels at all) gives each test sound, (n_test,)."""
    from models import colearning

    model = representation_model(world_name, colearning.ZERO_SHOT_STRENGTH)
    predicted = colearning.zero_shot(model, world_name, colearning_sounds(world_name, seed, noise).test_features)
    freeze(predicted)
    return predicted


@st.cache_resource(max_entries=16, show_spinner=False)
def colearning_examples(world_name: str, seed: int, level: int, count: int = 8) -> tuple[np.ndarray, np.ndarray]:
    """The first `count` training pairs' pictures as the teacher of `level` sees them, and its
    probabilities for exactly those pictures: ((count, H, W, 3), (count, C))."""
    from models import colearning, unimodal

    w = world(world_name, seed)
    pictures = w.images[w.indices("train")[:count]]
    teacher = unimodal_net("image", world_name, unimodal.default_kind("image"))[0]
    noise = colearning.TEACHER_NOISE[world_name][level]
    seen = colearning.teacher_view(pictures, noise, seed)
    probabilities = colearning.teacher_probabilities(teacher, pictures, noise, seed)
    freeze(seen, probabilities)
    return seen, probabilities


# ---------------------------------------------------------------- teach page
@st.cache_resource(show_spinner=False)
def teach_demo(n_classes: int):
    """The generated stand-in examples (models/teach.py) and the models trained on them, once per
    process: every visitor's page opens with them, and nobody's training changes them (a visitor's
    own training makes new models). Returns (examples, taught)."""
    from models import teach

    examples = teach.generated(n_classes)
    return examples, teach.train(examples, n_classes)


# ---------------------------------------------------------------- fusion page: what each strategy uses
@st.cache_resource(max_entries=36, show_spinner=False)
def fusion_uses(world_name: str, seed: int, task: str, subset: str, baseline: str):
    """Shapley values and EMAP of every strategy of one lab on its clean test task (models/fusion_uses.py):
    a few hundred milliseconds, once per lab and way of removing a modality."""
    from models import fusion_uses as uses

    return uses.measure(
        fusion_models(world_name, seed, task, subset), fusion_bank(world_name, seed, tuple(subset.split("+"))), baseline
    )
