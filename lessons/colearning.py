"""Co-learning: a picture model teaches a sound model that has few, wrong or noisy labels; the
data-efficiency and label-noise curves, the pseudo-labels, negative transfer, and zero-shot."""

import numpy as np
import streamlit as st

from components import figures, i18n, passport, predict, settings, state, ui
from components.cache import colearning as cache
from components.cache import representation as representation_cache
from components.cache import shared
from components.cache import unimodal as unimodal_cache
from components.controls.colearning import BUDGET, CELL, NOISE, SAMPLE, TEACHER, WRONG
from components.i18n import label, t
from models import colearning, representation
from models.core import worlds
from models.unimodal import nets as unimodal

PAGE = "colearning"
tp = i18n.scoped(PAGE)
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
world = shared.world(conf.world, conf.seed)
classes = [label(c) for c in worlds.MAIN_CLASSES[conf.world]]
chance = 1 / len(classes)
# declared on every run, so a link keeps them while their sections are closed (they draw only when open)
SAMPLE.bind(high=len(world.indices("test")) - 1, default=passport.position_in(world.indices("test")))
CELL.bind()


def name(method: str) -> str:
    return tp(f"m_{method}")


def points(value: float) -> str:
    return tp("points", n=f"{round(value * 100, 1) + 0.0:+.1f}")  # + 0.0: no "-0.0"


def sound_words(noise: float) -> str:
    return tp("clean") if noise == 0 else tp("snr", db=f"{worlds.snr_db(noise) + 0.0:.0f}")  # + 0.0: no "-0"


def teacher_words(level: int) -> str:
    return tp("clean") if level == 0 else tp("sigma", sigma=colearning.TEACHER_NOISE[conf.world][level])


def controls() -> tuple[int, float, float, int]:
    levels = range(len(colearning.TEACHER_NOISE[conf.world]))
    for control in (BUDGET, WRONG, NOISE):
        control.bind()
    TEACHER.bind(options=levels)  # a world with fewer teacher levels
    budget, wrong, noise, teacher = st.columns(4)
    budget.select_slider(tp("budget"), BUDGET.options, key=BUDGET.key, help=tp("budget_help"))
    wrong.select_slider(
        tp("wrong"),
        WRONG.options,
        key=WRONG.key,
        help=tp("wrong_help"),
        format_func=i18n.shown_as({r: f"{r:.0%}" for r in WRONG.options}),
    )
    noise.select_slider(
        tp("noise"),
        NOISE.options,
        key=NOISE.key,
        help=tp("noise_help"),
        format_func=i18n.shown_as({n: sound_words(n) for n in NOISE.options}),
    )
    teacher.select_slider(
        tp("teacher"),
        levels,
        key=TEACHER.key,
        help=tp("teacher_help"),
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
    numbers = {**{m: ui.percent(v) for m, v in now.items()}, "best": name(best), "colearning": ui.percent(now[best])}
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
        column.metric(name(method), ui.percent(now[method]), lead, help=tp(f"m_{method}_help"))
    best = max(colearning.METHODS[1:], key=now.get)
    lead = now[best] - now["baseline"]
    st.markdown(
        tp(
            f"verdict_{effect(lead)}",
            method=name(best),
            base=ui.percent(now["baseline"]),
            best=ui.percent(now[best]),
            lead=points(lead),
        )
    )


def efficiency_chart(mean: np.ndarray, zero_shot: float, budget: int, r: int) -> None:
    at_rate = mean[:, :, r]  # (methods, budgets)
    series = {name(m): at_rate[i] for i, m in enumerate(colearning.METHODS)}
    series[name("zero_shot")] = [zero_shot] * len(colearning.LABELS_PER_CLASS)
    fig = shared.figure(
        figures.marked_lines,
        colearning.LABELS_PER_CLASS,
        series,
        budget,
        tp("efficiency_title"),
        tp("budget_axis"),
        tp("accuracy"),
        log_x=True,
        dashed=(name("zero_shot"),),
        reference=chance,
        reference_label=tp("chance"),
    )
    found = colearning.key_points(at_rate)
    if found.most_lead <= 0.02:
        summary = tp("efficiency_never")
    elif found.stop is None:
        summary = tp(
            "efficiency_still",
            most=found.most_budget,
            lead=points(found.most_lead),
            last=colearning.LABELS_PER_CLASS[-1],
            last_lead=points(found.last_lead),
        )
    else:
        summary = tp("efficiency_stops", most=found.most_budget, lead=points(found.most_lead), stop=found.stop)
    if found.worst_lead < -0.02:
        summary += " " + tp(
            "efficiency_hurts",
            worst=tp("points", n=f"{-found.worst_lead * 100:.1f}"),
            at=found.worst_budget,
        )
    ui.chart(fig, summary, key="colearning_efficiency")


def noise_chart(mean: np.ndarray, zero_shot: float, b: int, wrong: float) -> None:
    at_budget = mean[:, b, :]  # (methods, rates)
    series = {name(m): at_budget[i] for i, m in enumerate(colearning.METHODS)}
    series[name("zero_shot")] = [zero_shot] * len(colearning.LABEL_NOISE)
    fig = shared.figure(
        figures.marked_lines,
        colearning.LABEL_NOISE,
        series,
        wrong,
        tp("noise_title"),
        tp("wrong_axis"),
        tp("accuracy"),
        x_format=".0%",
        dashed=(name("zero_shot"),),
        reference=chance,
        reference_label=tp("chance"),
    )
    best = 1 + int(np.argmax(at_budget[1:, -1]))
    ui.chart(
        fig,
        tp(
            "noise_summary",
            budget=colearning.LABELS_PER_CLASS[b],
            worst=f"{colearning.LABEL_NOISE[-1]:.0%}",
            base_from=ui.percent(at_budget[0, 0]),
            base_to=ui.percent(at_budget[0, -1]),
            method=name(colearning.METHODS[best]),
            from_=ui.percent(at_budget[best, 0]),
            to=ui.percent(at_budget[best, -1]),
        ),
        key="colearning_noise",
    )


def pseudo_labels(level: int, teacher_accuracy: float) -> None:
    """The teacher's pseudo-labels as a confusion matrix; a click on a cell shows that cell's pictures as
    the teacher saw them. It opens on the commonest mistake, the cell a learner should look at first."""
    box = st.expander(
        tp("pseudo_title", accuracy=ui.percent(teacher_accuracy)), key=f"{PAGE}.pseudo_open", on_change="rerun"
    )
    if not box.open:  # drawn only when opened: it costs a rerun nothing while closed
        return
    with box:
        if not conf.presenting:
            meta = unimodal_cache.net("image", conf.world, unimodal.default_kind("image"))[1]
            st.markdown(tp("pseudo_help", accuracy=ui.percent(meta["test_accuracy"])))
        probabilities = cache.teacher(conf.world, conf.seed, level)
        labels = world.labels(worlds.MAIN_ATTRIBUTE[conf.world])[world.indices("train")]
        confusion = colearning.pseudo_label_confusion(probabilities, labels, len(classes))
        mistake = colearning.commonest_mistake(confusion)
        summary = tp("confusion_summary", right=int(np.trace(confusion)), n=len(labels))
        if mistake:
            summary += " " + tp("confusion_mistake", true=classes[mistake[0]], called=classes[mistake[1]], n=mistake[2])
        true, called = chosen_cell(len(classes)) or (mistake[:2] if mistake else (0, 0))
        left, right = st.columns([3, 2])
        with left:
            key = "colearning_confusion"
            ui.chart(
                shared.figure(
                    figures.confusion,
                    confusion,
                    classes,
                    xlabel=tp("teacher_says"),
                    ylabel=t("common.true"),
                    height=340 if len(classes) < 6 else 420,
                    clickable=True,
                    chosen=(true, called),
                ),
                f"{summary} {tp('confusion_click')}",
                key=key,
                on_select=lambda: choose_cell(key),
            )
        with right:
            seen, confidence, count = cache.cell(conf.world, conf.seed, level, true, called)
            mark = "✓" if true == called else "✗"
            st.markdown(tp("cell_title", mark=mark, true=classes[true], called=classes[called], n=count))
            captions = [tp("cell_confidence", p=ui.percent(p, 0)) for p in confidence]
            st.image([figures.enlarged(picture, 96) for picture in seen], caption=captions, width=96)
        ui.explain(f"{PAGE}.negative_help")


def chosen_cell(n_classes: int) -> tuple[int, int] | None:
    """The cell in the link, "<true>-<called>", or None where it names none of this world's cells."""
    true, _, called = CELL.value.partition("-")
    if not (true.isdigit() and called.isdigit()):
        return None
    cell = int(true), int(called)
    return cell if max(cell) < n_classes else None


def choose_cell(key: str) -> None:
    """The matrix's on_select: the clicked cell (its marker's customdata) becomes the chosen one."""
    cell = ui.clicked_cell(key)
    if cell is not None:
        st.session_state[CELL.key] = "-".join(map(str, cell))


def own_sound() -> np.ndarray | None:
    """The visitor's upload or recording, imported only when asked for: safe_input loads scipy.signal
    (0.6 s or more), which would otherwise be paid by every first visit of this page."""
    from components import safe_input

    return safe_input.audio_upload(tp("upload"), key=f"{PAGE}.upload", target_sr=world.sample_rate)


def try_sound(curves: colearning.Curves, b: int, r: int, noise: float) -> None:
    """One test sound (or the visitor's own) through every trained student and through zero-shot."""
    box = st.expander(tp("try_title"), key=f"{PAGE}.try_open", on_change="rerun")
    if not box.open:
        return
    with box:
        test = world.indices("test")
        index = test[ui.sample_picker(SAMPLE, len(test), tp("try_sample"), rows=test)]
        own = own_sound() if st.toggle(tp("own"), key=f"{PAGE}.own") else None
        if own is None:
            clip = worlds.corrupt_audio(world.audio[[index]], noise, seed=int(index))[0]
            truth = int(world.labels(worlds.MAIN_ATTRIBUTE[conf.world])[index])
        else:
            clip, truth = colearning.fit_clip(own), None
        data = cache.sounds(conf.world, conf.seed, noise)
        said = dict(
            zip(colearning.METHODS, colearning.students_say(curves.weights[:, b, r], data, clip, world.sample_rate))
        )
        said["zero_shot"] = int(
            colearning.zero_shot(
                representation_cache.model(conf.world, colearning.ZERO_SHOT_STRENGTH),
                conf.world,
                colearning.features(clip[None], world.sample_rate),
            )[0]
        )
        picture, words = st.columns([1, 3])
        with picture:
            if own is None:
                st.image(figures.enlarged(world.images[index], 128))
                st.caption(tp("try_truth", value=classes[truth]))
        with words:
            st.audio(clip, sample_rate=world.sample_rate)
            heard = tp("try_heard", noise=sound_words(noise)) + (" " + tp("try_heard_noisy") if noise else "")
            st.caption(tp("try_own") if own is not None else heard)
            mark = {True: " ✓", False: " ✗", None: ""}
            st.markdown(
                "\n".join(
                    f"- **{name(m)}**: {classes[c]}{mark[None if truth is None else c == truth]}"
                    for m, c in said.items()
                )
            )


def how_it_works() -> None:
    with st.expander(tp("how_title")):
        blue, orange, green, grey = figures.CATEGORICAL[0], figures.CATEGORICAL[1], figures.CATEGORICAL[2], "#666"
        nodes = {
            "picture": (0.0, 1.0, t("common.modality.image"), blue),
            "teacher": (1.6, 1.0, tp("node_teacher"), green),
            "taught": (3.2, 1.0, tp("node_taught"), orange),
            "sound": (3.2, 0.0, t("common.modality.sound"), blue),
            "own": (3.2, -1.0, tp("node_own"), orange),
            "student": (4.8, 0.0, tp("node_student"), green),
            "class": (6.4, 0.0, tp("node_class"), grey),
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
            shared.figure(figures.flow_diagram, nodes, edges, height=300, box_width=1.3, box_height=0.55),
            key="colearning_flow",
            wide=True,
        )
        st.markdown(
            tp(
                "how",
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
curves = cache.curves(conf.world, conf.seed, noise, level)
mean = curves.mean()
test_labels = cache.sounds(conf.world, conf.seed, noise).test_labels
zero_shot = float((cache.zero_shot(conf.world, conf.seed, noise) == test_labels).mean())
st.caption(
    tp(
        "setting",
        labelled=int(curves.labelled[b]),
        budget=budget,
        pairs=len(world.indices("train")),
        wrong=f"{wrong:.0%}",
        teacher=ui.percent(curves.teacher_accuracy),
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
