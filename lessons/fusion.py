"""Fusion: six strategies trained side by side, a robustness lab with noise and missing modalities, and
MultiBench's robustness curves and metrics."""

import numpy as np
import streamlit as st

from components import (
    figures,
    fusion_drill_view,
    fusion_uses_view,
    i18n,
    passport,
    predict,
    safe_input,
    settings,
    state,
    ui,
)
from components.cache import fusion as cache
from components.cache import shared
from components.controls.fusion import CURVE, FOCUS, LEVEL, MISSING, SAMPLE, SUBSET, TASK
from components.i18n import label, t
from models.core import features, worlds
from models.fusion import lab as fusion_lab
from models.fusion import strategies as fusion

PAGE = "fusion"
tp = i18n.scoped(PAGE)
CLEAN = {**{LEVEL[m]: 0.0 for m in fusion.MODALITIES}, **{MISSING[m]: False for m in fusion.MODALITIES}}

CAPTION = f"{PAGE}.caption"  # typed text: not part of the link
STORY = {settings.WORLD: "shapes", TASK: "redundant", SUBSET: "image+sound", **CLEAN}  # step 1 is the default view
STEPS = [
    state.Step(f"{PAGE}.step_clean", STORY, focus="fusion_bars"),
    state.Step(
        f"{PAGE}.step_noise",
        {**STORY, LEVEL["sound"]: 0.5, CURVE: "sound", FOCUS: "intermediate"},
        focus="fusion_curves",
        choices=("image", "sound", "fusion"),
    ),
    state.Step(
        f"{PAGE}.step_missing",
        {**STORY, MISSING["sound"]: True},
        focus="fusion_bars",
        choices=("early", "late_average", "intermediate", "tensor"),
    ),
    state.Step(
        f"{PAGE}.step_unique",
        {**STORY, TASK: "unique", FOCUS: "late_average"},
        focus="fusion_bars",
        choices=("above", "near", "below"),
    ),
    state.Step(
        f"{PAGE}.step_synergy",
        {**STORY, TASK: "synergy", FOCUS: "tensor"},
        focus="fusion_bars",
        choices=("sound", "late_average", "tensor"),
    ),
    state.Step(f"{PAGE}.step_uses", {**STORY, TASK: "synergy", FOCUS: "early"}, focus="fusion_uses_emap"),
]
conf = ui.page_start(PAGE, STEPS)


def name(strategy: str) -> str:
    return t(f"common.modality.{strategy}") if strategy in fusion.MODALITIES else tp(f"strategy.{strategy}.name")


def short(strategy: str) -> str:
    return t(f"common.modality.{strategy}") if strategy in fusion.MODALITIES else tp(f"strategy.{strategy}.short")


def joined(modalities: tuple[str, ...] | list[str]) -> str:
    return " + ".join(t(f"common.modality.{m}") for m in modalities)


def class_labels(lab: fusion.Lab) -> list[str]:
    return [label(c) for c in fusion.class_names(lab.world, lab.task, len(lab.modalities))]


def controls() -> tuple[str, tuple[str, ...]]:
    TASK.bind()
    SUBSET.bind()
    left, right = st.columns([1, 1])
    left.radio(
        tp("task"),
        TASK.options,
        format_func=i18n.shown_as({v: tp(f"task_{v}") for v in TASK.options}),
        key=TASK.key,
        horizontal=True,
    )
    right.selectbox(
        tp("modalities"),
        SUBSET.options,
        key=SUBSET.key,
        format_func=i18n.shown_as({s: joined(s.split("+")) for s in SUBSET.options}),
    )
    task, modalities = TASK.value, tuple(SUBSET.value.split("+"))
    attribute = t(f"common.attr.{worlds.MAIN_ATTRIBUTE[conf.world]}")
    low, high = fusion.halves(conf.world)
    st.caption(
        tp(
            f"task_{task}_help",
            attribute=attribute,
            n=fusion.n_classes(conf.world, task, len(modalities)),
            modalities=joined(modalities),
            low=low,
            high=high,
        )
    )
    return task, modalities


def load(task: str, modalities: tuple[str, ...]) -> fusion.Lab:
    """The trained strategies: from disk for the default seed; trained here, with a progress bar, otherwise."""
    slot = st.empty()
    lab = cache.lab(
        conf.world,
        conf.seed,
        task,
        "+".join(modalities),
        lambda f, message: slot.progress(f, text=tp("training", step=message)),
    )
    slot.empty()
    return lab


def strategies(lab: fusion.Lab) -> str:
    st.subheader(tp("strategies_title"))
    options = fusion_lab.strategy_order(lab.modalities)
    FOCUS.bind(options=options)
    focus = st.selectbox(tp("focus"), options, format_func=i18n.shown_as({s: name(s) for s in options}), key=FOCUS.key)
    arch = fusion_lab.architecture(lab, focus)
    branches = {
        m: [f"{tp(f'layer_{kind}', m=t(f'common.modality.{m}'))}<br>{width}" for kind, width in chain]
        for m, chain in arch.branches.items()
    }
    meet = f"{tp(f'meet_{arch.meet[0]}')}<br>{arch.meet[1]}" if arch.meet else None
    head = [f"{tp(f'layer_{kind}', m='')}<br>{width}" for kind, width in arch.head]
    diagram, words = st.columns([3, 2])
    with diagram:
        ui.chart(
            shared.figure(figures.branch_diagram, branches, meet, head, height=110 + 90 * len(branches)),
            tp("diagram_summary", parameters=f"{arch.parameters:,}"),
            key="fusion_diagram",
            wide=True,
        )
    with words:
        st.markdown(tp(f"strategy.{focus if focus in fusion.FUSION else 'unimodal'}.how"))
    return focus


def condition_controls(modalities: tuple[str, ...]) -> fusion_lab.Condition:
    st.subheader(tp("lab_title"))
    ui.explain(f"{PAGE}.lab_help")
    for m in fusion.MODALITIES:
        LEVEL[m].bind()
        MISSING[m].bind()
    for column, m in zip(st.columns(len(modalities)), modalities):
        with column, st.container(border=True):
            level = st.slider(tp(f"noise_{m}"), **LEVEL[m].limits())
            st.caption(noise_words(m, level))
            st.toggle(tp("missing", m=t(f"common.modality.{m}")), key=MISSING[m].key)
    return fusion_lab.Condition(
        {m: LEVEL[m].value for m in modalities}, frozenset(m for m in modalities if MISSING[m].value)
    )


def noise_words(modality: str, level: float) -> str:
    if level == 0:
        return tp("clean")
    if modality == "image":
        return tp("noise_image_words", noise=level * fusion.IMAGE_NOISE, block=level * fusion.IMAGE_OCCLUSION)
    if modality == "sound":
        return tp("noise_sound_words", db=worlds.snr_db(level * fusion.SOUND_NOISE))
    return tp("noise_text_words", dropout=level * fusion.TEXT_DROPOUT, typos=level * fusion.TEXT_TYPOS)


def answer(step: int, now: dict[str, float]) -> tuple[str, dict[str, str]]:
    """The right choice of step `step`'s question, measured on the test set now on screen, and the
    accuracies its explanation quotes."""
    fused = max(fusion.FUSION, key=now.get)
    numbers = {
        **{s: ui.percent(v) for s, v in now.items()},
        "best_fusion": name(fused),
        "fusion": ui.percent(now[fused]),
    }
    key = STEPS[step].caption_key
    if key == f"{PAGE}.step_unique":
        margin = now["late_average"] - max(now[m] for m in fusion.MODALITIES if m in now)
        return ("above" if margin > 0.1 else "below" if margin < -0.1 else "near"), numbers
    candidates = {c: now[fused] if c == "fusion" else now[c] for c in STEPS[step].choices}
    return max(candidates, key=candidates.get), numbers


def results(lab: fusion.Lab, clean: dict[str, float], now: dict[str, float], condition: fusion_lab.Condition) -> None:
    best = max(now, key=now.get)
    rows = []
    for s in fusion_lab.strategy_order(lab.modalities):
        handling = tp(f"strategy.{'unimodal' if s in lab.modalities else s}.missing")
        if s not in now:
            rows.append([name(s), ui.percent(clean[s]), "—", "—", handling])
            continue
        mark = "**" if s == best else ""
        rows.append(
            [
                name(s),
                ui.percent(clean[s]),
                f"{mark}{ui.percent(now[s])}{mark}",
                f"{(now[s] - clean[s]) * 100:+.1f}",
                handling,
            ]
        )
    left, right = st.columns([3, 2])  # five columns of text need the room
    ui.table([tp(f"col_{c}") for c in ("strategy", "clean", "now", "change", "missing")], rows, "lrrrl", into=left)
    singles = [m for m in lab.modalities if m in now]
    if not singles:
        left.markdown(tp("all_missing"))
    else:
        fused, single = max(fusion.FUSION, key=now.get), max(singles, key=now.get)
        left.markdown(
            tp(
                "verdict",
                fusion=name(fused),
                fusion_acc=ui.percent(now[fused]),
                single=name(single),
                single_acc=ui.percent(now[single]),
                margin=f"{(now[fused] - now[single]) * 100:+.1f}",
            )
        )
    with right:
        shown = [s for s in fusion_lab.strategy_order(lab.modalities) if s in now]
        fig = shared.figure(
            figures.grouped_bars,
            [short(s) for s in shown],
            {tp("col_clean"): [clean[s] for s in shown], tp("col_now"): [now[s] for s in shown]},
            value_label=tp("accuracy"),
            height=330,
            reference=1 / fusion.n_classes(lab.world, lab.task, len(lab.modalities)),
            reference_label=tp("chance"),
        )
        ui.chart(fig, key="fusion_bars")
    if condition.missing:
        ui.explain(f"{PAGE}.missing_help")


def curves_section(lab: fusion.Lab, all_curves: dict[str, dict[str, list[float]]]) -> None:
    st.subheader(tp("curves_title"))
    ui.explain(f"{PAGE}.curves_help")
    CURVE.bind(options=lab.modalities, default=lab.modalities[0])
    corrupted = st.radio(
        tp("curve"),
        lab.modalities,
        format_func=i18n.shown_as({m: t(f"common.modality.{m}") for m in lab.modalities}),
        key=CURVE.key,
        horizontal=True,
    )
    curves = all_curves[corrupted]
    scores = fusion_lab.robustness(curves)
    lines, scatter = st.columns([3, 2])
    with lines:
        fig = shared.figure(
            figures.lines,
            fusion.LEVELS,
            {short(s): c for s, c in curves.items()},
            xlabel=tp("level_axis", m=t(f"common.modality.{corrupted}")),
            ylabel=tp("accuracy"),
            height=360,
        )
        for trace, s in zip(fig.data, curves):
            if s in fusion.MODALITIES:
                trace.line.dash = "dot"
        most = max(fusion.FUSION, key=lambda s: scores[s].relative)
        alone = curves[corrupted]
        ui.chart(
            fig,
            tp(
                "curves_summary",
                m=t(f"common.modality.{corrupted}"),
                best=name(most),
                area=f"{scores[most].relative:.3f}",
                start=ui.percent(alone[0]),
                end=ui.percent(alone[-1]),
            ),
            key="fusion_curves",
        )
    with scatter:
        relative = fusion_lab.min_max({s: r.relative for s, r in scores.items()})
        fig = shared.figure(
            figures.named_points,
            {short(s): (scores[s].clean, relative[s]) for s in scores},
            xlabel=tp("col_clean"),
            ylabel=tp("relative_normalised"),
            height=360,
        )
        ui.chart(fig, tp("scatter_summary"), key="fusion_scatter")
    rows = [
        [
            name(s),
            f"{fusion_lab.architecture(lab, s).parameters:,}",
            ui.percent(score.clean),
            f"{score.relative:.3f}",
            f"{round(score.effective, 2) + 0.0:+.2f}",
        ]
        for s, score in scores.items()
    ]  # + 0.0: no "-0.00"
    ui.table([tp(f"col_{c}") for c in ("strategy", "parameters", "clean", "relative", "effective")], rows, "lrrrr")
    ui.explain(f"{PAGE}.metrics_help")


def closer_look(
    lab: fusion.Lab, bank: fusion_lab.Bank, probs: dict[str, np.ndarray], focus: str, condition: fusion_lab.Condition
) -> None:
    """The focused strategy's confusion matrix; a click on a cell chooses a test row of that cell, which
    is shown whole under it with every model's answer, starred where the galleries show it, and is the
    row the caption box below starts from."""
    box = st.expander(tp("closer_title", strategy=name(focus)), key=f"{PAGE}.closer_open", on_change="rerun")
    if not box.open:  # drawn only when opened: it costs a rerun nothing while closed
        return
    with box:
        if focus not in probs:
            st.info(tp("focus_missing"))
            return
        rows, labels = fusion_lab.test_task(lab, bank)
        classes = class_labels(lab)
        said = probs[focus].argmax(1)
        matrix = fusion_lab.confusion(labels, said, len(classes))
        chosen = SAMPLE.value
        cell = (int(labels[chosen]), int(said[chosen]))
        left, right = st.columns(2)
        with left:
            fig = shared.figure(
                figures.confusion,
                matrix,
                classes,
                xlabel=t("common.predicted"),
                ylabel=t("common.true"),
                height=380,
                clickable=True,
                chosen=cell,
            )
            summary = tp("confusion_summary", right=int(np.trace(matrix)), n=len(labels))
            key = "fusion_confusion"
            ui.chart(
                fig, f"{summary} {tp('confusion_click')}", key=key, on_select=lambda: choose_in_cell(key, labels, said)
            )
        with right:
            chosen_row(lab, bank, rows[:, chosen], probs, condition, labels[chosen], cell, matrix[cell])
        if focus not in fusion.FUSION:
            st.markdown(tp("pick_fusion"))
            return
        fixed, broken = fusion_lab.fixed_and_broken(lab, bank, probs, focus)
        for title, found in (
            (tp("fixed", n=len(fixed)), fixed),
            (tp("broken", n=len(broken)), broken),
        ):
            st.markdown(f"**{title}**")
            for column, i in zip(st.columns(6), found[:6]):
                with column:
                    sample(lab, bank, rows[:, i], condition)
                    votes = [f"{short(m)}: {classes[probs[m][i].argmax()]}" for m in lab.modalities if m in probs]
                    star = "⭐ " if i == chosen else ""
                    st.caption(
                        star
                        + " · ".join(
                            [
                                *votes,
                                f"**{short(focus)}: {classes[probs[focus][i].argmax()]}**",
                                tp("truth", value=classes[labels[i]]),
                            ]
                        )
                    )


def choose_in_cell(key: str, labels: np.ndarray, said: np.ndarray) -> None:
    """The confusion matrix's on_select: the next test row (after the one shown) of the clicked cell, so
    clicking a cell again steps through its rows; the caption box below follows it."""
    cell = ui.clicked_cell(key)
    if cell is None:
        return  # a click that cleared the selection keeps the row shown
    true, predicted = cell
    members = np.flatnonzero((labels == true) & (said == predicted))
    if not len(members):
        return
    later = members[members > SAMPLE.value]
    choose_row(int(later[0] if len(later) else members[0]))


def choose_row(position: int) -> None:
    """Show test row `position` on the whole page: the closer look and the caption box."""
    st.session_state[SAMPLE.key] = position
    captions = shared.world(conf.world, conf.seed).captions
    st.session_state[CAPTION] = captions[bank.test_index[position]]


def chosen_row(
    lab: fusion.Lab,
    bank: fusion_lab.Bank,
    positions: np.ndarray,
    probs: dict[str, np.ndarray],
    condition: fusion_lab.Condition,
    truth: int,
    cell: tuple[int, int],
    in_cell: int,
) -> None:
    """The chosen test row as the models met it (picture, caption, sound, under the current corruption)
    and what each model answered for it."""
    classes = class_labels(lab)
    with st.container(border=True, key=f"{PAGE}_chosen"):
        st.markdown(tp("chosen_title", n=SAMPLE.value + 1, true=classes[cell[0]], said=classes[cell[1]], count=in_cell))
        picture, sound = st.columns([1, 2])
        with picture:
            sample(lab, bank, positions, condition)
        with sound:
            if "sound" in lab.modalities and "sound" not in condition.missing:
                position = int(positions[list(lab.modalities).index("sound")])
                heard = cache.sound(conf.world, conf.seed, condition.levels.get("sound", 0.0), position)
                st.audio(heard, sample_rate=shared.world(conf.world, conf.seed).sample_rate)
        rows = [
            [
                name(s),
                classes[p[SAMPLE.value].argmax()],
                ui.percent(p[SAMPLE.value].max()),
                "✓" if p[SAMPLE.value].argmax() == truth else "✗",
            ]
            for s, p in probs.items()
        ]
        ui.table([tp("col_strategy"), tp("col_says"), tp("col_confidence"), ""], rows, "llrl")
        st.caption(tp("truth", value=classes[truth]))


def sample(lab: fusion.Lab, bank: fusion_lab.Bank, positions: np.ndarray, condition: fusion_lab.Condition) -> None:
    """One test row as the models saw it: the 8x8 picture they read (enlarged) and the caption."""
    for m, position in zip(lab.modalities, positions):
        if m in condition.missing or m == "sound":
            continue
        level = condition.levels.get(m, 0.0)
        if m == "image":
            pixels = bank.features["image"][fusion_lab.level_index(level)][position].reshape(
                fusion.THUMBNAIL, fusion.THUMBNAIL, 3
            )
            st.image(figures.enlarged((pixels * 255).astype(np.uint8), 64))
        else:
            st.caption(f"“{cache.captions(conf.world, conf.seed, level)[position]}”")


def own_caption(lab: fusion.Lab, bank: fusion_lab.Bank) -> None:
    """Type a caption for a test sample's picture and sound, and see what every strategy makes of it."""
    st.subheader(tp("try_title"))
    if "text" not in lab.modalities:
        st.caption(tp("try_needs_text"))
        return
    captions = shared.world(conf.world, conf.seed).captions
    last = len(bank.test_index) - 1
    if CAPTION not in st.session_state:
        st.session_state[CAPTION] = captions[bank.test_index[SAMPLE.value]]
    left, right = st.columns([1, 2])
    with left:
        position = st.number_input(
            tp("try_sample"),
            **SAMPLE.limits(high=last),
            on_change=lambda: choose_row(SAMPLE.value),
        )
        index = bank.test_index[position]
        picture = shared.world(conf.world, conf.seed).images[index]
        st.image(figures.enlarged(picture, 128))
        st.caption(tp("try_own", caption=captions[index]))
    with right:
        text = safe_input.text_box(tp("try_caption"), key=CAPTION)
        if text is None:
            return
        vocabulary = cache.dictionary(conf.world, conf.seed)
        unknown = features.out_of_vocabulary(vocabulary, text)
        if unknown:
            st.caption(tp("try_oov", words=i18n.join(unknown)))
        inputs = {m: bank.features[m][0][[position]] for m in lab.modalities if m != "text"}
        probs = fusion_lab.predict(lab, {**inputs, "text": fusion.featurise("text", [text], vocabulary)})
        classes = class_labels(lab)
        rows = [[name(s), classes[p[0].argmax()], ui.percent(p[0].max())] for s, p in probs.items()]
        ui.table([tp("col_strategy"), tp("col_says"), tp("col_confidence")], rows, "llr")
        ui.explain(f"{PAGE}.try_help_{lab.task}")


task, modalities = controls()
ui.step_buttons(PAGE, STEPS)
quiz = predict.ask(PAGE, STEPS)
lab = load(task, modalities)
bank = cache.bank(conf.world, conf.seed, modalities)
# the test row the page shows (closer look, caption box): the pinned sample where this world has it
SAMPLE.bind(high=len(bank.test_index) - 1, default=passport.position_in(bank.test_index))
focus = strategies(lab)
if focus == "tensor":  # the drill-down opens under the diagram it explains
    fusion_drill_view.section(lab, bank, conf.world, conf.seed, class_labels(lab))
condition = condition_controls(modalities)
curves = cache.curves(conf.world, conf.seed, task, "+".join(modalities))
clean = {s: curve[0] for s, curve in curves[modalities[0]].items()}  # level 0 of any curve is the clean test set
probs = fusion_lab.evaluate(lab, bank, condition)
now = fusion_lab.scores(probs, fusion_lab.test_task(lab, bank)[1])
results(lab, clean, now, condition)
quiz.reveal(lambda step: answer(step, now))
fusion_uses_view.section(conf.world, conf.seed, task, modalities, focus, short)
curves_section(lab, curves)
closer_look(lab, bank, probs, focus, condition)
own_caption(lab, bank)
ui.page_end()
