"""Predict, then reveal, on every converted page and in every language: a question step does not run
before a prediction; after one, the verdict names the answer that the models, asked here directly for
the step's setting, give (so the page's answer is computed, not typed), and says whether the
prediction held.

Each page's questions are listed below with a function that measures the answer from models/ alone.
"""

from collections.abc import Callable
from functools import cache

import pytest

from components import controls, i18n, state
from components.cache import captioning as captioning_cache
from components.cache import colearning as colearning_cache
from components.cache import neural_networks as neural_networks_cache
from components.cache import representation as representation_cache
from components.cache import shared
from components.cache import spectrograms as spectrograms_cache
from components.cache import unimodal as unimodal_cache

LANGUAGES = tuple(i18n.LANGUAGES)


# ---------------------------------------------------------------- the answers, measured without the page
@cache
def fusion_accuracies(task: str, missing: tuple[str, ...] = (), sound: float = 0.0) -> dict[str, float]:
    from models.core import worlds
    from models.fusion import lab as fusion_lab

    bank = fusion_lab.test_bank(worlds.make_world("shapes", 0))
    lab = fusion_lab.load_lab("shapes", task, "image+sound")
    condition = fusion_lab.Condition({"image": 0.0, "sound": sound}, frozenset(missing))
    return fusion_lab.accuracies(lab, bank, condition)


def best(scores: dict[str, float]) -> str:
    return max(scores, key=scores.get)


def fusion_noise() -> str:
    from models.fusion import strategies as fusion

    acc = fusion_accuracies("redundant", sound=0.5)
    return best({"image": acc["image"], "sound": acc["sound"], "fusion": max(acc[s] for s in fusion.FUSION)})


def fusion_missing() -> str:
    acc = fusion_accuracies("redundant", ("sound",))
    return best({s: acc[s] for s in ("early", "late_average", "intermediate", "tensor")})


def fusion_unique() -> str:
    acc = fusion_accuracies("unique")
    margin = acc["late_average"] - max(acc["image"], acc["sound"])
    return "above" if margin > 0.1 else "below" if margin < -0.1 else "near"


def fusion_synergy() -> str:
    acc = fusion_accuracies("synergy")
    return best({s: acc[s] for s in ("sound", "late_average", "tensor")})


def colearning_now(budget: int, wrong: float = 0.0, noise: float = 0.0, teacher: int = 0) -> dict[str, float]:
    """Held-out accuracy of every method for one setting, straight from the cached loaders."""
    from models import colearning

    curves = colearning_cache.curves("shapes", 0, noise, teacher)
    b, r = colearning.LABELS_PER_CLASS.index(budget), colearning.LABEL_NOISE.index(wrong)
    labels = colearning_cache.sounds("shapes", 0, noise).test_labels
    zero_shot = float((colearning_cache.zero_shot("shapes", 0, noise) == labels).mean())
    return {**dict(zip(colearning.METHODS, curves.mean()[:, b, r])), "zero_shot": zero_shot}


def colearning_effect(**setting) -> Callable[[], str]:
    def measured() -> str:
        now = colearning_now(**setting)
        lead = max(now["pseudo"], now["distill"]) - now["baseline"]
        return "helps" if lead > 0.02 else "hurts" if lead < -0.02 else "same"

    return measured


def colearning_noisy() -> str:
    now = colearning_now(5, noise=0.5)
    colearned = max(now["pseudo"], now["distill"])
    return best({"baseline": now["baseline"], "colearning": colearned, "zero_shot": now["zero_shot"]})


def alignment_off(**changes) -> Callable[[], str]:
    """How far off DTW's boundaries are for the first test caption of seed 0 with these settings."""

    def measured() -> str:
        from models.alignment import explicit as al
        from models.captioning import scenes
        from models.core import worlds

        world = worlds.make_world("shapes", 0)
        words = al.words_of(world.captions[int(scenes.split_indices(world, "test")[0])])
        chosen = {"feature": "mfcc", "pattern": "symmetric1", "band": 0.0, "tempo": 1.0, "noise": 0.0}
        chosen = {**chosen, "voice": "plain", "reorder": False, **changes}
        found = al.align(words, al.Settings(**chosen), 0)
        if found.path is None:
            return "lost"
        mean = found.errors_ms.mean()
        return "close" if mean < 50 else "off" if mean <= 150 else "lost"

    return measured


def representation_summary(strength: float) -> dict[str, float]:

    return representation_cache.report("shapes", 0, strength)["summary"]


def representation_strong() -> str:
    cosine = representation_summary(1.0)["paired_cosine"]
    return "far" if cosine < 0.3 else "near" if cosine > 0.7 else "between"


def representation_zero_shot() -> str:
    unseen = representation_summary(1.0)["zero_shot"]
    return "chance" if unseen < 0.2 else "most" if unseen > 0.7 else "half"


def representation_missing() -> str:
    """Only the picture left: which model keeps at least half of its lead over chance."""
    from models import representation as rep

    joint, coordinated = (
        representation_cache.missing("shapes", 0, kind, "shape") for kind in (None, rep.DEFAULT_STRENGTH)
    )
    chance = 1 / len(rep.CLASSES["shape"])
    answers = tuple(rep.still_answers(scores, ("image",), chance) for scores in (joint, coordinated))
    return {(True, True): "both", (True, False): "joint", (False, True): "coordinated"}.get(answers, "neither")


def network_accuracies() -> dict[str, float]:
    """The Shapes world's 2-D task: the majority guess, no hidden layer, one hidden layer of 8 ReLU."""
    import numpy as np

    from models.neural_networks import basics as nb

    world = shared.world("shapes", 0)
    attribute = nb.NONLINEAR_TASK["shapes"]
    labels = world.labels(attribute)[world.indices("test")]
    return {
        "chance": float(np.bincount(labels).max() / len(labels)),
        "linear": neural_networks_cache.plane_model("shapes", 0, attribute, (), "relu")["accuracy"],
        "deep": neural_networks_cache.plane_model("shapes", 0, attribute, (8,), "relu")["accuracy"],
    }


def network_untrained() -> str:
    from models.core import worlds
    from models.neural_networks import basics as nb

    data, n = neural_networks_cache.data("shapes", 0), len(worlds.MAIN_CLASSES["shapes"])
    accuracy = nb.test_accuracy(nb.start_run(data, n).model, data)  # a fresh run, as a new visitor's
    return "always" if accuracy > 0.9 else "guess" if accuracy < 1 / n + 0.1 else "better"


def network_gain(small: str, gain: Callable[[dict[str, float]], float]) -> Callable[[], str]:
    def measured() -> str:
        points = gain(network_accuracies())
        return small if points < 0.05 else "much" if points > 0.2 else "some"

    return measured


def captions_of(image, decoding: str = "greedy", temperature: float | None = None) -> dict:
    from components.controls.captioning import BEAMS, TEMPERATURE, K

    temperature = TEMPERATURE.default if temperature is None else temperature
    return captioning_cache.captions(image, decoding, BEAMS.default, float(temperature), K.default, 0)


def first_test_picture(colour: str = ""):
    from models.captioning import scenes

    world = shared.world("shapes", 0)
    index = int(scenes.split_indices(world, "test")[0])
    if not colour:
        return world.images[index]
    return scenes.edit(world.describe(index), {"colour": colour}, 0.0, 0)[0]


def naming(found: dict, slot: str) -> int:
    from models.captioning import captioners as captioning

    return sum(any(s == slot for s, _ in captioning.mentions(c.words)) for c in found.values())


def captioning_pink() -> str:
    found = captions_of(first_test_picture("pink"))
    n = naming(found, "colour")
    return "known" if n == len(found) else "none" if n == 0 else "mixed"


def captioning_sampling() -> str:
    p = min(captions_of(first_test_picture(), "sampling", 2.5)["generative"].probabilities)
    return "high" if p > 0.5 else "low" if p < 0.1 else "middle"


def captioning_photo() -> str:
    from models.captioning import scenes

    found = captions_of(scenes.photos()[0])
    n = naming(found, "shape")
    return "all" if n == len(found) else "none" if n == 0 else "some"


def spectrum_lines(y, sr: int, n_fft: int):
    """Local maxima of the time-averaged Hann spectrum within 30 dB of the loudest, in Hz."""
    import numpy as np

    from models.spectrograms import analysis as sp

    db = 10 * np.log10(np.maximum(sp.power(y, n_fft, n_fft // 4, "hann").mean(1), 1e-12))
    return [i * sr / n_fft for i in range(1, len(db) - 1) if db[i - 1] < db[i] >= db[i + 1] and db[i] > db.max() - 30]


def spectrograms_sine() -> str:
    from models.spectrograms import analysis as sp

    n = len(spectrum_lines(*sp.sound("shape:circle:red:small"), 256))
    return "one" if n == 1 else "few" if n <= 4 else "many"


def spectrograms_tradeoff() -> str:
    from models.spectrograms import analysis as sp

    y, sr = sp.sound("dtmf:5")
    error = {
        which: max(min(abs(f - tone) for f in spectrum_lines(y, sr, n)) for tone in (770.0, 1336.0))
        for which, n in (("short", sp.SHORT_WINDOW), ("long", sp.LONG_WINDOW))
    }
    return "same" if abs(error["short"] - error["long"]) < 1 else min(error, key=error.get)


def spectrograms_model() -> str:
    from models.spectrograms import analysis as sp

    world_name = sp.model_world("speech", "shapes")
    heard = sp.hear(
        spectrograms_cache.sound_model(world_name)[0], spectrograms_cache.speech_clip("red_circle_en"), sp.SPEECH_RATE
    )
    return "sure" if max(heard.probabilities) > 0.5 else "unsure"


def unimodal_photo() -> str:
    from models.core import classifiers
    from models.unimodal import classic
    from models.unimodal import nets as unimodal

    world = shared.world("shapes", 0)
    pixels = classic.fit_photo(shared.photo("china"), world.images.shape[1], grey=False)
    net = unimodal_cache.net("image", "shapes", "cnn")[0]
    proba = classifiers.predict_proba(net, unimodal.net_input("image", "cnn", pixels[None]))[0]
    return "sure" if max(proba) > 0.5 else "unsure"


def unimodal_text() -> str:
    import numpy as np

    from components.controls.unimodal import C
    from models.unimodal import text as text_models

    data = unimodal_cache.dataset("shapes", 0, "text", text_models.SENTIMENT)
    model = unimodal_cache.logistic("shapes", 0, "text", text_models.SENTIMENT, C.default)
    right = 0
    for sentence, truth in (("negation", "positive"), ("negation_good", "negative")):
        bag = text_models.bag_of_words(data.dictionary, text_models.SENTIMENT_EXAMPLES[sentence])
        right += data.classes[int(np.argmax(model.predict_proba(bag[None])[0]))] == truth
    return {2: "both", 1: "one", 0: "none"}[right]


def unimodal_splits() -> str:
    from models.core import nearest, worlds
    from models.unimodal import classic

    task = worlds.MAIN_ATTRIBUTE["shapes"]
    data = unimodal_cache.dataset("shapes", 0, "image", task)
    found = {
        m: unimodal_cache.neighbours("shapes", 0, "image", task, m, ("validation", "test")) for m in nearest.METRICS
    }
    sweep = classic.sweep_knn(data, found)
    validation, test = sweep.validation_accuracy[sweep.chosen], sweep.test_accuracy
    return "higher" if test > validation + 0.01 else "lower" if test < validation - 0.01 else "same"


# page -> [(step index, caption key, the answer)]
QUESTIONS: dict[str, list[tuple[int, str, Callable[[], str]]]] = {
    "fusion": [
        (1, "fusion.step_noise", fusion_noise),
        (2, "fusion.step_missing", fusion_missing),
        (3, "fusion.step_unique", fusion_unique),
        (4, "fusion.step_synergy", fusion_synergy),
    ],
    "alignment": [
        (1, "alignment.step_fast_noisy", alignment_off(tempo=1.6, noise=0.6)),
        (2, "alignment.step_octave", alignment_off(voice="plain_octave")),
        (3, "alignment.step_chroma", alignment_off(voice="plain_octave", feature="chroma")),
    ],
    "representation": [
        (1, "representation.step_missing", representation_missing),
        (3, "representation.step_strong", representation_strong),
        (5, "representation.step_zero_shot", representation_zero_shot),
    ],
    "neural_networks": [
        (1, "neural_networks.step_untrained", network_untrained),
        (3, "neural_networks.step_linear", network_gain("none", lambda a: a["linear"] - a["chance"])),
        (4, "neural_networks.step_deep", network_gain("same", lambda a: a["deep"] - a["linear"])),
    ],
    "captioning": [
        (1, "captioning.step_pink", captioning_pink),
        (2, "captioning.step_sampling", captioning_sampling),
        (4, "captioning.step_photo", captioning_photo),
    ],
    "spectrograms": [
        (1, "spectrograms.step_sine", spectrograms_sine),
        (2, "spectrograms.step_tradeoff", spectrograms_tradeoff),
        (4, "spectrograms.step_model", spectrograms_model),
    ],
    "unimodal": [
        (1, "unimodal.step_photo", unimodal_photo),
        (2, "unimodal.step_text", unimodal_text),
        (4, "unimodal.step_splits", unimodal_splits),
    ],
    "colearning": [
        (1, "colearning.step_many", colearning_effect(budget=100)),
        (2, "colearning.step_wrong", colearning_effect(budget=10, wrong=0.4)),
        (3, "colearning.step_noisy", colearning_noisy),
        (4, "colearning.step_weak", colearning_effect(budget=10, teacher=2)),
    ],
}


# ---------------------------------------------------------------- the pages
def example_button(at, page: str, index: int, key: str, language: str):
    """The button that chooses step `index`: numbered on most pages, named after the step on alignment's."""
    name = key.removeprefix(f"{page}.step_")
    labels = {
        i18n.translate(f"{page}.example_{index + 1}", language),
        i18n.translate(f"{page}.example_{name}", language),
    }
    return next(b for b in at.button if b.label in labels)


def verdicts(at, language: str) -> list[tuple[str, str]]:
    """The verdicts on the page, as (string key, text): a page may show other alerts of its own."""
    found = []
    for kind, elements in (("predict.held", at.success), ("predict.missed", at.warning), ("predict.answer", at.info)):
        opening = i18n.translate(kind, language).split("{")[0]
        found += [(kind, e.value) for e in elements if e.value.startswith(opening)]
    return found


def choice_ids(key: str, labels: list[str], language: str) -> list[str]:
    """The choices a question's radio shows as `labels`, by their ids (`ask.<step>.choice.<id>` in the table)."""
    table, prefix = i18n.table(language), state.choice_key(key, "")
    return [next(k[len(prefix) :] for k, v in table.items() if k.startswith(prefix) and v == s) for s in labels]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("page", sorted(QUESTIONS))
def test_each_question_waits_for_a_prediction_and_its_verdict_matches_the_models(app, page, language):
    at = app(page, lang=language)
    for n, (index, key, measured) in enumerate(QUESTIONS[page]):
        before = {c.key: at.session_state[c.key] for c in controls.of(page) if c.key in at.session_state}
        example_button(at, page, index, key, language).click().run()
        assert not at.exception, [e.value for e in at.exception]
        # asked, not run: the step is chosen, the page's controls are as they were
        radio = at.radio(key=f"{page}.predict_{index}")
        assert at.session_state[f"{page}.step"] == index and radio.value is None
        assert i18n.translate(state.ask_key(key, "q"), language) in " ".join(m.value for m in at.markdown)
        assert all(at.session_state[k] == v for k, v in before.items() if k != f"{page}.step"), key
        assert not verdicts(at, language)
        answer = measured()
        choices = choice_ids(key, radio.options, language)
        assert answer in choices and 2 <= len(choices) <= 4
        held = n % 2 == 0  # every other question is predicted right
        radio.set_value(answer if held else next(c for c in choices if c != answer)).run()
        assert not at.exception, [e.value for e in at.exception]
        said = i18n.translate(state.choice_key(key, answer), language)
        verdict = verdicts(at, language)
        kind = "predict.held" if held else "predict.missed"
        assert len(verdict) == 1 and verdict[0][0] == kind and said in verdict[0][1], (key, answer, verdict)
        text = " ".join(m.value for m in at.markdown)
        assert "⟦" not in text and "{" not in text
