"""Co-learning: the least-squares student and its shortcut, the labelled draws, the page's promised
numbers on the held-out test split (transfer helps with few labels, stops helping with many, resists
wrong labels, and a degraded teacher hurts), and the page itself."""

import numpy as np
import pytest

from components import i18n
from models import colearning, representation
from models.core import worlds
from models.unimodal import nets as unimodal


# ---------------------------------------------------------------- the student and its shortcut
def test_the_student_is_ridge_regression_with_a_free_bias():
    from sklearn.linear_model import Ridge

    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 5)).astype(np.float32)
    targets = np.eye(3)[rng.integers(0, 3, 60)]
    weights = colearning.fit_student(np.concatenate([x, np.ones((60, 1), np.float32)], 1), targets, alpha=2.0)
    reference = Ridge(alpha=2.0).fit(x, targets)
    assert np.allclose(weights[:-1], reference.coef_.T, atol=1e-4)
    assert np.allclose(weights[-1], reference.intercept_, atol=1e-4)


def synthetic_sounds(n_train: int = 120, n_classes: int = 3, seed: int = 0) -> colearning.Sounds:
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.arange(n_train + 60) % n_classes)
    raw = (rng.normal(size=(n_train + 60, 4)) + 2.0 * np.eye(n_classes, 4)[labels]).astype(np.float32)
    inputs = colearning.student_inputs(raw, raw[:n_train].mean(0), raw[:n_train].std(0))
    return colearning.Sounds(
        train=inputs[:n_train],
        test=inputs[n_train:],
        train_labels=labels[:n_train],
        test_labels=labels[n_train:],
        test_features=raw[n_train:],
        mean=raw[:n_train].mean(0),
        std=raw[:n_train].std(0),
        n_classes=n_classes,
    )


def test_every_student_of_the_grid_is_the_one_fitted_directly():
    """The grid shares one inverse across the co-learning students; each must equal its own plain fit."""
    data = synthetic_sounds()
    teacher = np.random.default_rng(1).dirichlet(np.ones(3), len(data.train))
    budgets, rates = (1, 5, 20), (0.0, 0.3)
    found = colearning.curves(data, teacher, seed=7, budgets=budgets, rates=rates, draws=2)
    chosen = colearning.draw(data.train_labels, 3, seed=(7, 0))
    one_hot = np.eye(3)
    for b, budget in enumerate(budgets):
        for r, rate in enumerate(rates):
            labelled = chosen.rank < budget
            own = one_hot[colearning.own_labels(data.train_labels, chosen, rate)]
            baseline = colearning.fit_student(data.train[labelled], own[labelled])
            pseudo = colearning.fit_student(data.train, np.where(labelled[:, None], own, one_hot[teacher.argmax(1)]))
            distill = colearning.fit_student(data.train, np.where(labelled[:, None], own, colearning.soften(teacher)))
            for m, direct in enumerate((baseline, pseudo, distill)):
                assert np.allclose(found.weights[m, b, r], direct, atol=1e-3)
    assert found.accuracy.shape == (3, len(budgets), len(rates), 2)
    assert (found.labelled == [3, 15, 60]).all()


def test_labelled_sounds_and_wrong_labels_are_nested():
    labels = np.random.default_rng(0).integers(0, 4, 400)
    chosen = colearning.draw(labels, 4, seed=3)
    for small, large in ((1, 2), (2, 5), (5, 50)):
        assert ((chosen.rank < small) <= (chosen.rank < large)).all()  # the 2 labelled include the 1
    for c in range(4):
        assert ((chosen.rank < 5) & (labels == c)).sum() == 5
    assert (chosen.wrong != labels).all()
    wrong_10, wrong_40 = (colearning.own_labels(labels, chosen, r) != labels for r in (0.1, 0.4))
    assert (wrong_10 <= wrong_40).all() and abs(wrong_40.mean() - 0.4) < 0.07
    assert (colearning.own_labels(labels, chosen, 0.0) == labels).all()


def test_softening_keeps_the_ranking_and_flattens():
    p = np.array([[0.7, 0.2, 0.1], [0.05, 0.9, 0.05]])
    assert np.allclose(colearning.soften(p, 1.0), p)
    soft = colearning.soften(p, 2.0)
    assert np.allclose(soft.sum(1), 1) and (soft.argmax(1) == p.argmax(1)).all()
    assert (soft.max(1) < p.max(1)).all()


def test_pseudo_label_confusion_and_commonest_mistake():
    probabilities = np.eye(3)[[0, 0, 1, 2, 2, 2]]
    confusion = colearning.pseudo_label_confusion(probabilities, np.array([0, 1, 1, 1, 2, 2]), 3)
    assert confusion.tolist() == [[1, 0, 0], [1, 1, 1], [0, 0, 2]]
    assert colearning.commonest_mistake(confusion) in ((1, 0, 1), (1, 2, 1))
    assert colearning.commonest_mistake(np.diag([3, 4])) is None


def test_key_points_read_a_curve():
    mean = np.array([[0.6, 0.7, 0.9, 1.0], [0.95, 0.95, 0.91, 0.8]])  # baseline, then one co-learning method
    found = colearning.key_points(mean, budgets=(1, 2, 5, 10))
    assert (found.most_budget, found.stop, found.worst_budget) == (1, 5, 10)
    assert found.most_lead == pytest.approx(0.35) and found.worst_lead == pytest.approx(-0.2)
    assert colearning.key_points(mean[:, :2], budgets=(1, 2)).stop is None


# ---------------------------------------------------------------- the promised numbers (Shapes, seed 0, test split)
@pytest.fixture(scope="module")
def shapes():
    world = worlds.make_world("shapes", 0)
    teacher, _ = unimodal.load("image", "shapes")
    pictures = world.images[world.indices("train")]
    taught = {
        level: colearning.teacher_probabilities(teacher, pictures, colearning.TEACHER_NOISE["shapes"][level], 0)
        for level in (0, 2)
    }
    sounds = {noise: colearning.sounds(world, noise) for noise in (0.0, 0.5)}
    return {
        "sounds": sounds,
        "taught": taught,
        "curves": {
            (noise, level): colearning.curves(sounds[noise], taught[level], 0)
            for noise, level in ((0.0, 0), (0.0, 2), (0.5, 0))
        },
    }


def at(curves: colearning.Curves, method: str, budget: int, rate: float = 0.0) -> float:
    return float(
        curves.mean()[
            colearning.METHODS.index(method),
            colearning.LABELS_PER_CLASS.index(budget),
            colearning.LABEL_NOISE.index(rate),
        ]
    )


def test_with_few_labels_co_learning_beats_the_baseline_by_a_clear_margin(shapes):
    clean = shapes["curves"][0.0, 0]
    assert clean.teacher_accuracy > 0.97
    for budget in (1, 2, 5):
        for method in ("pseudo", "distill"):
            assert at(clean, method, budget) > at(clean, "baseline", budget) + 0.15
    assert at(clean, "baseline", 2) < 0.85 and at(clean, "pseudo", 2) > 0.95


def test_the_advantage_shrinks_as_labels_grow(shapes):
    found = colearning.key_points(shapes["curves"][0.0, 0].mean()[:, :, 0])
    lead = shapes["curves"][0.0, 0].mean()[1:, :, 0].max(0) - shapes["curves"][0.0, 0].mean()[0, :, 0]
    assert found.most_budget <= 2 and found.most_lead > 0.25
    assert found.stop is not None and found.stop <= 50 and abs(found.last_lead) < 0.02
    assert lead[0] > lead[3] > lead[-1]


def test_borrowed_labels_resist_wrong_own_labels(shapes):
    clean = shapes["curves"][0.0, 0]
    assert at(clean, "baseline", 10, 0.0) - at(clean, "baseline", 10, 0.4) > 0.2
    assert at(clean, "pseudo", 10, 0.0) - at(clean, "pseudo", 10, 0.4) < 0.05


def test_a_degraded_teacher_hurts_negative_transfer(shapes):
    clean, weak = shapes["curves"][0.0, 0], shapes["curves"][0.0, 2]
    assert weak.teacher_accuracy < 0.8
    assert at(weak, "baseline", 10) == at(clean, "baseline", 10)  # the baseline never listens to the teacher
    for method in ("pseudo", "distill"):
        assert at(weak, method, 10) < at(clean, method, 10) - 0.2
        assert at(weak, method, 10) < at(weak, "baseline", 10) - 0.05  # worse than no teacher at all
    assert colearning.key_points(weak.mean()[:, :, 0]).worst_lead < -0.1


def test_noisy_sounds_co_learning_adapts_where_zero_shot_breaks(shapes):
    model = representation.load("shapes", colearning.ZERO_SHOT_STRENGTH)
    zero_shot = {
        noise: float((colearning.zero_shot(model, "shapes", data.test_features) == data.test_labels).mean())
        for noise, data in shapes["sounds"].items()
    }
    noisy = shapes["curves"][0.5, 0]
    assert zero_shot[0.0] > 0.9  # no sound labels at all, clean sounds
    assert at(noisy, "pseudo", 5) > at(noisy, "baseline", 5) + 0.15
    assert zero_shot[0.5] < at(noisy, "pseudo", 5) - 0.2  # its encoder never heard noise
    assert at(noisy, "pseudo", 100) < at(shapes["curves"][0.0, 0], "pseudo", 100) - 0.1  # noise costs everyone


def test_curves_are_deterministic(shapes):
    again = colearning.curves(shapes["sounds"][0.0], shapes["taught"][0], 0)
    assert np.array_equal(again.accuracy, shapes["curves"][0.0, 0].accuracy)


def test_a_students_answer_for_one_clip_matches_the_batch(shapes):
    world = worlds.make_world("shapes", 0)
    data, curves = shapes["sounds"][0.0], shapes["curves"][0.0, 0]
    rows = world.indices("test")[:5]
    said = np.stack(
        [colearning.students_say(curves.weights[:, 1, 0], data, world.audio[i], world.sample_rate) for i in rows], 1
    )
    assert np.array_equal(said, colearning.predict(curves.weights[:, 1, 0], data.test[:5]))
    assert len(colearning.fit_clip(np.ones(20000))) == len(colearning.fit_clip(np.ones(10))) == worlds.SAMPLE_RATE


# ---------------------------------------------------------------- the page
def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_page_widgets_move_the_numbers(app):
    at = app("colearning", **{"colearning.pseudo_open": True})
    assert not at.exception
    first = metrics(at)
    assert len(first) == 4 and len(at.get("plotly_chart")) >= 4
    assert any("Transfer helps" in m.value for m in at.markdown)
    changes = [
        ("colearning.budget", 100),
        ("colearning.wrong", 0.4),
        ("colearning.noise", 0.5),
        ("colearning.teacher", 3),
    ]
    seen = [first]
    for key, value in changes:
        at.select_slider(key=key).set_value(value).run()
        assert not at.exception, key
        seen.append(metrics(at))
        assert seen[-1] != seen[-2], key
    assert dict(at.query_params)["colearning.budget"] == "100"  # part of the permalink


def test_page_weak_teacher_example_shows_negative_transfer(app):
    at = app("colearning")
    next(b for b in at.button if b.label == "⑤ Weak teacher").click().run()
    at.radio(key="colearning.predict_4").set_value("hurts").run()  # the step runs after a prediction
    assert not at.exception
    assert at.session_state["colearning.teacher"] == 2 and at.session_state["colearning.budget"] == 10
    assert any("Negative transfer" in m.value for m in at.markdown)
    assert any("Negative transfer" in c.value for c in at.caption)  # the data-efficiency curve's summary


def test_page_try_one_sound(app):
    at = app("colearning", **{"colearning.try_open": True})
    truth = lambda: next(c.value for c in at.caption if c.value.startswith("true class"))
    labels = worlds.make_world("shapes", 0).labels("shape")
    test = worlds.make_world("shapes", 0).indices("test")
    other = int(np.flatnonzero(labels[test] != labels[test[0]])[0])  # a test sound of another class
    first = truth()
    at.number_input(key="colearning.sample").set_value(other).run()
    assert not at.exception and truth() != first
    next(b for b in at.button if b.label == "🎲 Random sample").click().run()
    assert not at.exception
    answers = next(m.value for m in at.markdown if m.value.startswith("- **"))
    assert answers.count("\n") == 3 and answers.count("✓") + answers.count("✗") == 4  # four methods answer
    at.toggle(key="colearning.own").set_value(
        True
    ).run()  # the upload appears; until a file comes, the test sound stays
    assert not at.exception and any(c.value.startswith("true class") for c in at.caption)


def test_page_digits_world(app):
    at = app("colearning", world="digits")
    assert not at.exception
    assert len(metrics(at)) == 4


def test_the_pseudo_labels_open_on_the_commonest_mistake_and_a_chosen_cell_shows_its_pictures(app):
    """The pseudo-label matrix opens on its commonest mistake (outlined), with that cell's pictures beside
    it; a clicked cell (what its on_select stores; Chromium clicks in tests/test_browser_journeys.py)
    shows its own pictures, counted as the matrix counts them; a forged cell in a link is ignored."""
    import json

    from components.cache import colearning as cache

    at = app("colearning", **{"colearning.teacher": 2, "colearning.pseudo_open": True})
    world = worlds.make_world("shapes", 0)
    labels = world.labels("shape")[world.indices("train")]
    confusion = colearning.pseudo_label_confusion(cache.teacher("shapes", 0, 2), labels, 4)
    true, called, n = colearning.commonest_mistake(confusion)

    def outlined() -> tuple[float, float]:
        [chart] = [c for c in at.get("plotly_chart") if c.proto.id.endswith("-colearning_confusion")]
        [ring] = [s for s in json.loads(chart.proto.spec)["layout"]["shapes"] if s.get("name") == "chosen"]
        return ring["y0"] + 0.5, ring["x0"] + 0.5

    def title(true: int, called: int) -> str:
        names = [i18n.label(c) for c in worlds.MAIN_CLASSES["shapes"]]
        mark = "✓" if true == called else "✗"
        n = int(confusion[true, called])
        return i18n.translate("colearning.cell_title", "en", mark=mark, true=names[true], called=names[called], n=n)

    assert not at.exception and outlined() == (true, called)
    assert any(m.value == title(true, called) for m in at.markdown), title(true, called)
    at.session_state["colearning.cell"] = "1-1"
    at.run()
    assert outlined() == (1, 1) and any(m.value == title(1, 1) for m in at.markdown)
    for forged in ("9-9", "x", "-1-2", "1-"):
        at.session_state["colearning.cell"] = forged
        at.run()
        assert not at.exception and outlined() == (true, called), forged
