"""Co-learning: a picture model teaches a sound model that has few, wrong or noisy labels; the
data-efficiency and label-noise curves, the pseudo-labels, negative transfer, and zero-shot."""

import numpy as np
import streamlit as st

from components import figures, i18n, predict, registry, settings, state, ui
from components.controls.colearning import BUDGET, NOISE, SAMPLE, TEACHER, WRONG
from components.i18n import label, t
from models import colearning, representation, unimodal, worlds

PAGE = "colearning"
EFFECT = ("helps", "same", "hurts")  # what transfer does to the sound model, beyond 2 points either way
STORY = {settings.WORLD: "shapes", BUDGET: 2, WRONG: 0.0, NOISE: 0.0, TEACHER: 0}  # step 1 is the default view
STEPS = [
    state.Step(f"{PAGE}.step_few", STORY, focus="colearning_efficiency"),
    state.Step(f"{PAGE}.step_many", {**STORY, BUDGET: 100}, focus="colearning_efficiency", choices=EFFECT),
    state.Step(f"{PAGE}.step_wrong", {**STORY, BUDGET: 10, WRONG: 0.4}, focus="colearning_noise", choices=EFFECT),
    state.Step(
        f"{PAGE}.step_noisy",
        {**STORY, BUDGET: 5, NOISE: 0.5},
        focus="colearning_efficiency",
        choices=("baseline", "colearning", "zero_shot"),
    ),
    state.Step(f"{PAGE}.step_weak", {**STORY, BUDGET: 10, TEACHER: 2}, focus="colearning_noise", choices=EFFECT),
]
ALL = (*colearning.METHODS, "zero_shot")
conf = ui.page_start(PAGE, STEPS)
world = registry.world(conf.world, conf.seed)
classes = [label(c) for c in worlds.MAIN_CLASSES[conf.world]]
chance = 1 / len(classes)


def name(method: str) -> str:
    return t(f"{PAGE}.m_{method}")


def percent(value: float) -> str:
    return f"{value:.1%}"


def points(value: float) -> str:
    return t(f"{PAGE}.points", n=f"{round(value * 100, 1) + 0.0:+.1f}")  # + 0.0: no "-0.0"


def sound_words(noise: float) -> str:
    return (
        t(f"{PAGE}.clean") if noise == 0 else t(f"{PAGE}.snr", db=f"{worlds.snr_db(noise) + 0.0:.0f}")
    )  # + 0.0: no "-0"


def teacher_words(level: int) -> str:
    return t(f"{PAGE}.clean") if level == 0 else t(f"{PAGE}.sigma", sigma=colearning.TEACHER_NOISE[conf.world][level])


def controls() -> tuple[int, float, float, int]:
    levels = range(len(colearning.TEACHER_NOISE[conf.world]))
    for control in (BUDGET, WRONG, NOISE):
        control.bind()
    TEACHER.bind(options=levels)  # a world with fewer teacher levels
    budget, wrong, noise, teacher = st.columns(4)
    budget.select_slider(t(f"{PAGE}.budget"), BUDGET.options, key=BUDGET.key, help=t(f"{PAGE}.budget_help"))
    wrong.select_slider(
        t(f"{PAGE}.wrong"),
        WRONG.options,
        key=WRONG.key,
        help=t(f"{PAGE}.wrong_help"),
        format_func=i18n.shown_as({r: f"{r:.0%}" for r in WRONG.options}),
    )
    noise.select_slider(
        t(f"{PAGE}.noise"),
        NOISE.options,
        key=NOISE.key,
        help=t(f"{PAGE}.noise_help"),
        format_func=i18n.shown_as({n: sound_words(n) for n in NOISE.options}),
    )
    teacher.select_slider(
        t(f"{PAGE}.teacher"),
        levels,
        key=TEACHER.key,
        help=t(f"{PAGE}.teacher_help"),
        format_func=i18n.shown_as({level: teacher_words(level) for level in levels}),
    )
    return tuple(control.value for control in (BUDGET, WRONG, NOISE, TEACHER))


def effect(lead: float) -> str:
    """What transfer did: its lead over the baseline, beyond 2 points either way."""
    return "helps" if lead > 0.02 else "hurts" if lead < -0.02 else "same"


def answer(step: int, now: dict[str, float]) -> tuple[str, dict[str, str]]:
    """The right choice of step `step`'s question, from the held-out accuracies now on screen, and the
    numbers its explanation quotes."""
    best = max(colearning.METHODS[1:], key=now.get)
    lead = now[best] - now["baseline"]
    numbers = {**{m: percent(v) for m, v in now.items()}, "best": name(best), "colearning": percent(now[best])}
    numbers["lead"] = points(lead)
    if STEPS[step].caption_key == f"{PAGE}.step_noisy":
        scores = {"baseline": now["baseline"], "colearning": now[best], "zero_shot": now["zero_shot"]}
        return max(scores, key=scores.get), numbers
    return effect(lead), numbers


def headline(mean: np.ndarray, zero_shot: float, b: int, r: int) -> None:
    """The four methods' test accuracy at this setting, each against the baseline, and a verdict."""
    now = {**dict(zip(colearning.METHODS, mean[:, b, r])), "zero_shot": zero_shot}
    for column, method in zip(st.columns(len(ALL)), ALL):
        lead = None if method == "baseline" else points(now[method] - now["baseline"])
        column.metric(name(method), percent(now[method]), lead, help=t(f"{PAGE}.m_{method}_help"))
    best = max(colearning.METHODS[1:], key=now.get)
    lead = now[best] - now["baseline"]
    st.markdown(
        t(
            f"{PAGE}.verdict_{effect(lead)}",
            method=name(best),
            base=percent(now["baseline"]),
            best=percent(now[best]),
            lead=points(lead),
        )
    )


def efficiency_chart(mean: np.ndarray, zero_shot: float, budget: int, r: int) -> None:
    at_rate = mean[:, :, r]  # (methods, budgets)
    series = {name(m): at_rate[i] for i, m in enumerate(colearning.METHODS)}
    series[name("zero_shot")] = [zero_shot] * len(colearning.LABELS_PER_CLASS)
    fig = registry.figure(
        "marked_lines",
        colearning.LABELS_PER_CLASS,
        series,
        budget,
        t(f"{PAGE}.efficiency_title"),
        t(f"{PAGE}.budget_axis"),
        t(f"{PAGE}.accuracy"),
        log_x=True,
        dashed=(name("zero_shot"),),
        reference=chance,
        reference_label=t(f"{PAGE}.chance"),
    )
    found = colearning.key_points(at_rate)
    if found.most_lead <= 0.02:
        summary = t(f"{PAGE}.efficiency_never")
    elif found.stop is None:
        summary = t(
            f"{PAGE}.efficiency_still",
            most=found.most_budget,
            lead=points(found.most_lead),
            last=colearning.LABELS_PER_CLASS[-1],
            last_lead=points(found.last_lead),
        )
    else:
        summary = t(f"{PAGE}.efficiency_stops", most=found.most_budget, lead=points(found.most_lead), stop=found.stop)
    if found.worst_lead < -0.02:
        summary += " " + t(
            f"{PAGE}.efficiency_hurts",
            worst=t(f"{PAGE}.points", n=f"{-found.worst_lead * 100:.1f}"),
            at=found.worst_budget,
        )
    ui.chart(fig, summary, key="colearning_efficiency")


def noise_chart(mean: np.ndarray, zero_shot: float, b: int, wrong: float) -> None:
    at_budget = mean[:, b, :]  # (methods, rates)
    series = {name(m): at_budget[i] for i, m in enumerate(colearning.METHODS)}
    series[name("zero_shot")] = [zero_shot] * len(colearning.LABEL_NOISE)
    fig = registry.figure(
        "marked_lines",
        colearning.LABEL_NOISE,
        series,
        wrong,
        t(f"{PAGE}.noise_title"),
        t(f"{PAGE}.wrong_axis"),
        t(f"{PAGE}.accuracy"),
        x_format=".0%",
        dashed=(name("zero_shot"),),
        reference=chance,
        reference_label=t(f"{PAGE}.chance"),
    )
    best = 1 + int(np.argmax(at_budget[1:, -1]))
    ui.chart(
        fig,
        t(
            f"{PAGE}.noise_summary",
            budget=colearning.LABELS_PER_CLASS[b],
            worst=f"{colearning.LABEL_NOISE[-1]:.0%}",
            base_from=percent(at_budget[0, 0]),
            base_to=percent(at_budget[0, -1]),
            method=name(colearning.METHODS[best]),
            from_=percent(at_budget[best, 0]),
            to=percent(at_budget[best, -1]),
        ),
        key="colearning_noise",
    )


def pseudo_labels(level: int, teacher_accuracy: float) -> None:
    with st.expander(t(f"{PAGE}.pseudo_title", accuracy=percent(teacher_accuracy))):
        if not conf.presenting:
            meta = registry.unimodal_net("image", conf.world, unimodal.default_kind("image"))[1]
            st.markdown(t(f"{PAGE}.pseudo_help", accuracy=percent(meta["test_accuracy"])))
        probabilities = registry.colearning_teacher(conf.world, conf.seed, level)
        labels = world.labels(worlds.MAIN_ATTRIBUTE[conf.world])[world.indices("train")]
        confusion = colearning.pseudo_label_confusion(probabilities, labels, len(classes))
        mistake = colearning.commonest_mistake(confusion)
        summary = t(f"{PAGE}.confusion_summary", right=int(np.trace(confusion)), n=len(labels))
        if mistake:
            summary += " " + t(
                f"{PAGE}.confusion_mistake", true=classes[mistake[0]], called=classes[mistake[1]], n=mistake[2]
            )
        left, right = st.columns([3, 2])
        with left:
            ui.chart(
                registry.figure(
                    "confusion",
                    confusion,
                    classes,
                    xlabel=t(f"{PAGE}.teacher_says"),
                    ylabel=t("common.true"),
                    height=340 if len(classes) < 6 else 420,
                ),
                summary,
                key="colearning_confusion",
            )
        with right:
            st.markdown(t(f"{PAGE}.seen_title"))
            seen, said = registry.colearning_examples(conf.world, conf.seed, level)
            truth = labels[: len(seen)]
            zoom = np.ones((96 // seen.shape[1],) * 2 + (1,), np.uint8)
            captions = [("✓ " if p == y else "✗ ") + classes[p] for p, y in zip(said.argmax(1), truth)]
            st.image([np.kron(picture, zoom) for picture in seen], caption=captions, width=96)
        ui.explain(f"{PAGE}.negative_help")


def pick_random(n: int) -> None:
    """A button callback: the next test sound in a fixed random order, so a talk can be rehearsed."""
    clicks = st.session_state.get(f"{PAGE}.clicks", 0) + 1
    st.session_state[f"{PAGE}.clicks"] = clicks
    st.session_state[SAMPLE.key] = int(np.random.default_rng([conf.seed, clicks]).integers(n))


def own_sound() -> np.ndarray | None:
    """The visitor's upload or recording, imported only when asked for: safe_input loads scipy.signal
    (0.6 s or more), which would otherwise be paid by every first visit of this page."""
    from components import safe_input

    return safe_input.audio_upload(t(f"{PAGE}.upload"), key=f"{PAGE}.upload", target_sr=world.sample_rate)


def try_sound(curves: colearning.Curves, b: int, r: int, noise: float) -> None:
    """One test sound (or the visitor's own) through every trained student and through zero-shot."""
    with st.expander(t(f"{PAGE}.try_title")):
        test = world.indices("test")
        SAMPLE.bind(high=len(test) - 1)  # the other world has fewer test samples
        pick, dice = st.columns([4, 1], vertical_alignment="bottom")
        pick.number_input(t(f"{PAGE}.try_sample"), **SAMPLE.limits(high=len(test) - 1))
        dice.button(t("common.random_sample"), on_click=pick_random, args=(len(test),), width="stretch")
        own = own_sound() if st.toggle(t(f"{PAGE}.own"), key=f"{PAGE}.own") else None
        index = test[SAMPLE.value]
        if own is None:
            clip = worlds.corrupt_audio(world.audio[[index]], noise, seed=int(index))[0]
            truth = int(world.labels(worlds.MAIN_ATTRIBUTE[conf.world])[index])
        else:
            clip, truth = colearning.fit_clip(own), None
        data = registry.colearning_sounds(conf.world, conf.seed, noise)
        said = dict(
            zip(colearning.METHODS, colearning.students_say(curves.weights[:, b, r], data, clip, world.sample_rate))
        )
        said["zero_shot"] = int(
            colearning.zero_shot(
                registry.representation_model(conf.world, colearning.ZERO_SHOT_STRENGTH),
                conf.world,
                colearning.features(clip[None], world.sample_rate),
            )[0]
        )
        picture, words = st.columns([1, 3])
        with picture:
            if own is None:
                st.image(np.kron(world.images[index], np.ones((128 // world.images.shape[1],) * 2 + (1,), np.uint8)))
                st.caption(t(f"{PAGE}.try_truth", value=classes[truth]))
        with words:
            st.audio(clip, sample_rate=world.sample_rate)
            heard = t(f"{PAGE}.try_heard", noise=sound_words(noise)) + (
                " " + t(f"{PAGE}.try_heard_noisy") if noise else ""
            )
            st.caption(t(f"{PAGE}.try_own") if own is not None else heard)
            mark = {True: " ✓", False: " ✗", None: ""}
            st.markdown(
                "\n".join(
                    f"- **{name(m)}**: {classes[c]}{mark[None if truth is None else c == truth]}"
                    for m, c in said.items()
                )
            )


def how_it_works() -> None:
    with st.expander(t(f"{PAGE}.how_title")):
        blue, orange, green, grey = figures.CATEGORICAL[0], figures.CATEGORICAL[1], figures.CATEGORICAL[2], "#666"
        nodes = {
            "picture": (0.0, 1.0, t("common.image"), blue),
            "teacher": (1.6, 1.0, t(f"{PAGE}.node_teacher"), green),
            "taught": (3.2, 1.0, t(f"{PAGE}.node_taught"), orange),
            "sound": (3.2, 0.0, t("common.sound"), blue),
            "own": (3.2, -1.0, t(f"{PAGE}.node_own"), orange),
            "student": (4.8, 0.0, t(f"{PAGE}.node_student"), green),
            "class": (6.4, 0.0, t(f"{PAGE}.node_class"), grey),
        }
        edges = [
            ("picture", "teacher"),
            ("teacher", "taught"),
            ("taught", "student"),
            ("sound", "student"),
            ("own", "student"),
            ("student", "class"),
        ]
        ui.chart(
            registry.figure("flow_diagram", nodes, edges, height=300, box_width=1.3, box_height=0.55),
            key="colearning_flow",
            wide=True,
        )
        st.markdown(
            t(
                f"{PAGE}.how",
                draws=colearning.DRAWS,
                temperature=colearning.TEMPERATURE,
                alpha=colearning.RIDGE,
                inputs=representation.SOUND_INPUTS,
                pairs=len(world.indices("train")),
                test=len(world.indices("test")),
            )
        )


ui.step_buttons(PAGE, STEPS)
quiz = predict.ask(PAGE, STEPS)
budget, wrong, noise, level = controls()
b, r = colearning.LABELS_PER_CLASS.index(budget), colearning.LABEL_NOISE.index(wrong)
curves = registry.colearning_curves(conf.world, conf.seed, noise, level)
mean = curves.mean()
test_labels = registry.colearning_sounds(conf.world, conf.seed, noise).test_labels
zero_shot = float((registry.colearning_zero_shot(conf.world, conf.seed, noise) == test_labels).mean())
st.caption(
    t(
        f"{PAGE}.setting",
        labelled=int(curves.labelled[b]),
        budget=budget,
        pairs=len(world.indices("train")),
        wrong=f"{wrong:.0%}",
        teacher=percent(curves.teacher_accuracy),
        test=len(test_labels),
    )
)
headline(mean, zero_shot, b, r)
quiz.reveal(lambda step: answer(step, {**dict(zip(colearning.METHODS, mean[:, b, r])), "zero_shot": zero_shot}))
left, right = st.columns(2)
with left:
    efficiency_chart(mean, zero_shot, budget, r)
with right:
    noise_chart(mean, zero_shot, b, wrong)
ui.explain(f"{PAGE}.curves_help")
pseudo_labels(level, curves.teacher_accuracy)
try_sound(curves, b, r, noise)
how_it_works()
ui.page_end()
