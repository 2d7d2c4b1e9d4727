"""Fusion: six strategies trained side by side, a robustness lab with noise and missing modalities, and
MultiBench's robustness curves and metrics."""

import numpy as np
import streamlit as st

from components import i18n, predict, registry, safe_input, settings, state, ui
from components.controls.fusion import CURVE, FOCUS, LEVEL, MISSING, SAMPLE, SUBSET, TASK
from components.i18n import label, t
from models import features, fusion, fusion_lab, worlds

PAGE = "fusion"
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
]
conf = ui.page_start(PAGE, STEPS)


def name(strategy: str) -> str:
    return t(f"common.{strategy}") if strategy in fusion.MODALITIES else t(f"{PAGE}.s_{strategy}")


def short(strategy: str) -> str:
    return t(f"common.{strategy}") if strategy in fusion.MODALITIES else t(f"{PAGE}.short_{strategy}")


def percent(value: float) -> str:
    return f"{value:.1%}"


def table(header: list[str], rows: list[list[str]], align: str) -> str:
    """A markdown table (st.table would import pandas); `align` has one of l/r per column."""
    rule = "|" + "|".join("---:" if a == "r" else "---" for a in align) + "|"
    return "\n".join(["| " + " | ".join(header) + " |", rule, *("| " + " | ".join(row) + " |" for row in rows)])


def controls() -> tuple[str, tuple[str, ...]]:
    TASK.bind()
    SUBSET.bind()
    left, right = st.columns([1, 1])
    left.radio(
        t(f"{PAGE}.task"),
        TASK.options,
        format_func=i18n.shown_as({v: t(f"{PAGE}.task_{v}") for v in TASK.options}),
        key=TASK.key,
        horizontal=True,
    )
    right.selectbox(
        t(f"{PAGE}.modalities"),
        SUBSET.options,
        key=SUBSET.key,
        format_func=i18n.shown_as({s: " + ".join(t(f"common.{m}") for m in s.split("+")) for s in SUBSET.options}),
    )
    task, modalities = TASK.value, tuple(SUBSET.value.split("+"))
    attribute = t(f"common.attr.{worlds.MAIN_ATTRIBUTE[conf.world]}")
    low, high = fusion.halves(conf.world)
    st.caption(
        t(
            f"{PAGE}.task_{task}_help",
            attribute=attribute,
            n=fusion.n_classes(conf.world, task, len(modalities)),
            modalities=" + ".join(t(f"common.{m}") for m in modalities),
            low=low,
            high=high,
        )
    )
    return task, modalities


def load(task: str, modalities: tuple[str, ...]) -> fusion.Lab:
    """The trained strategies: from disk for the default seed; trained here, with a progress bar, otherwise."""
    slot = st.empty()
    lab = registry.fusion_models(
        conf.world,
        conf.seed,
        task,
        "+".join(modalities),
        lambda f, message: slot.progress(f, text=t(f"{PAGE}.training", step=message)),
    )
    slot.empty()
    return lab


def strategies(lab: fusion.Lab) -> str:
    st.subheader(t(f"{PAGE}.strategies_title"))
    options = fusion_lab.strategy_order(lab.modalities)
    FOCUS.bind(options=options)
    focus = st.selectbox(
        t(f"{PAGE}.focus"), options, format_func=i18n.shown_as({s: name(s) for s in options}), key=FOCUS.key
    )
    arch = fusion_lab.architecture(lab, focus)
    branches = {
        m: [f"{t(f'{PAGE}.layer_{kind}', m=t(f'common.{m}'))}<br>{width}" for kind, width in chain]
        for m, chain in arch.branches.items()
    }
    meet = f"{t(f'{PAGE}.meet_{arch.meet[0]}')}<br>{arch.meet[1]}" if arch.meet else None
    head = [f"{t(f'{PAGE}.layer_{kind}', m='')}<br>{width}" for kind, width in arch.head]
    diagram, words = st.columns([3, 2])
    with diagram:
        ui.chart(
            registry.figure("branch_diagram", branches, meet, head, height=110 + 90 * len(branches)),
            t(f"{PAGE}.diagram_summary", parameters=f"{arch.parameters:,}"),
            key="fusion_diagram",
            wide=True,
        )
    with words:
        st.markdown(t(f"{PAGE}.how_{focus if focus in fusion.FUSION else 'unimodal'}"))
    return focus


def condition_controls(modalities: tuple[str, ...]) -> fusion_lab.Condition:
    st.subheader(t(f"{PAGE}.lab_title"))
    ui.explain(f"{PAGE}.lab_help")
    for m in fusion.MODALITIES:
        LEVEL[m].bind()
        MISSING[m].bind()
    for column, m in zip(st.columns(len(modalities)), modalities):
        with column, st.container(border=True):
            level = st.slider(t(f"{PAGE}.noise_{m}"), **LEVEL[m].limits())
            st.caption(noise_words(m, level))
            st.toggle(t(f"{PAGE}.missing", m=t(f"common.{m}")), key=MISSING[m].key)
    return fusion_lab.Condition(
        {m: LEVEL[m].value for m in modalities}, frozenset(m for m in modalities if MISSING[m].value)
    )


def noise_words(modality: str, level: float) -> str:
    if level == 0:
        return t(f"{PAGE}.clean")
    if modality == "image":
        return t(f"{PAGE}.noise_image_words", noise=level * fusion.IMAGE_NOISE, block=level * fusion.IMAGE_OCCLUSION)
    if modality == "sound":
        return t(f"{PAGE}.noise_sound_words", db=worlds.snr_db(level * fusion.SOUND_NOISE))
    return t(f"{PAGE}.noise_text_words", dropout=level * fusion.TEXT_DROPOUT, typos=level * fusion.TEXT_TYPOS)


def answer(step: int, now: dict[str, float]) -> tuple[str, dict[str, str]]:
    """The right choice of step `step`'s question, measured on the test set now on screen, and the
    accuracies its explanation quotes."""
    fused = max(fusion.FUSION, key=now.get)
    numbers = {**{s: percent(v) for s, v in now.items()}, "best_fusion": name(fused), "fusion": percent(now[fused])}
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
        handling = t(f"{PAGE}.missing_{'unimodal' if s in lab.modalities else s}")
        if s not in now:
            rows.append([name(s), percent(clean[s]), "—", "—", handling])
            continue
        mark = "**" if s == best else ""
        rows.append(
            [
                name(s),
                percent(clean[s]),
                f"{mark}{percent(now[s])}{mark}",
                f"{(now[s] - clean[s]) * 100:+.1f}",
                handling,
            ]
        )
    left, right = st.columns([3, 2])  # five columns of text need the room
    left.markdown(
        table([t(f"{PAGE}.col_{c}") for c in ("strategy", "clean", "now", "change", "missing")], rows, "lrrrl")
    )
    singles = [m for m in lab.modalities if m in now]
    if not singles:
        left.markdown(t(f"{PAGE}.all_missing"))
    else:
        fused, single = max(fusion.FUSION, key=now.get), max(singles, key=now.get)
        left.markdown(
            t(
                f"{PAGE}.verdict",
                fusion=name(fused),
                fusion_acc=percent(now[fused]),
                single=name(single),
                single_acc=percent(now[single]),
                margin=f"{(now[fused] - now[single]) * 100:+.1f}",
            )
        )
    with right:
        shown = [s for s in fusion_lab.strategy_order(lab.modalities) if s in now]
        fig = registry.figure(
            "grouped_bars",
            [short(s) for s in shown],
            {t(f"{PAGE}.col_clean"): [clean[s] for s in shown], t(f"{PAGE}.col_now"): [now[s] for s in shown]},
            ylabel=t(f"{PAGE}.accuracy"),
            height=330,
            reference=1 / fusion.n_classes(lab.world, lab.task, len(lab.modalities)),
            reference_label=t(f"{PAGE}.chance"),
        )
        ui.chart(fig, key="fusion_bars")
    if condition.missing:
        ui.explain(f"{PAGE}.missing_help")


def curves_section(lab: fusion.Lab, all_curves: dict[str, dict[str, list[float]]]) -> None:
    st.subheader(t(f"{PAGE}.curves_title"))
    ui.explain(f"{PAGE}.curves_help")
    CURVE.bind(options=lab.modalities, default=lab.modalities[0])
    corrupted = st.radio(
        t(f"{PAGE}.curve"),
        lab.modalities,
        format_func=i18n.shown_as({m: t(f"common.{m}") for m in lab.modalities}),
        key=CURVE.key,
        horizontal=True,
    )
    curves = all_curves[corrupted]
    scores = fusion_lab.robustness(curves)
    lines, scatter = st.columns([3, 2])
    with lines:
        fig = registry.figure(
            "lines",
            fusion.LEVELS,
            {short(s): c for s, c in curves.items()},
            xlabel=t(f"{PAGE}.level_axis", m=t(f"common.{corrupted}")),
            ylabel=t(f"{PAGE}.accuracy"),
            height=360,
        )
        for trace, s in zip(fig.data, curves):
            if s in fusion.MODALITIES:
                trace.line.dash = "dot"
        most = max(fusion.FUSION, key=lambda s: scores[s].relative)
        alone = curves[corrupted]
        ui.chart(
            fig,
            t(
                f"{PAGE}.curves_summary",
                m=t(f"common.{corrupted}"),
                best=name(most),
                area=f"{scores[most].relative:.3f}",
                start=percent(alone[0]),
                end=percent(alone[-1]),
            ),
            key="fusion_curves",
        )
    with scatter:
        relative = fusion_lab.min_max({s: r.relative for s, r in scores.items()})
        fig = registry.figure(
            "named_points",
            {short(s): (scores[s].clean, relative[s]) for s in scores},
            xlabel=t(f"{PAGE}.col_clean"),
            ylabel=t(f"{PAGE}.relative_normalised"),
            height=360,
        )
        ui.chart(fig, t(f"{PAGE}.scatter_summary"), key="fusion_scatter")
    rows = [
        [
            name(s),
            f"{fusion_lab.architecture(lab, s).parameters:,}",
            percent(score.clean),
            f"{score.relative:.3f}",
            f"{round(score.effective, 2) + 0.0:+.2f}",
        ]
        for s, score in scores.items()
    ]  # + 0.0: no "-0.00"
    st.markdown(
        table(
            [t(f"{PAGE}.col_{c}") for c in ("strategy", "parameters", "clean", "relative", "effective")], rows, "lrrrr"
        )
    )
    ui.explain(f"{PAGE}.metrics_help")


def closer_look(
    lab: fusion.Lab, bank: fusion_lab.Bank, probs: dict[str, np.ndarray], focus: str, condition: fusion_lab.Condition
) -> None:
    with st.expander(t(f"{PAGE}.closer_title", strategy=name(focus))):
        if focus not in probs:
            st.info(t(f"{PAGE}.focus_missing"))
            return
        rows, labels = fusion_lab.test_task(lab, bank)
        classes = [label(c) for c in fusion.class_names(lab.world, lab.task, len(lab.modalities))]
        matrix = fusion_lab.confusion(labels, probs[focus].argmax(1), len(classes))
        left, right = st.columns([2, 3])
        with left:
            fig = registry.figure(
                "confusion", matrix, classes, xlabel=t("common.predicted"), ylabel=t("common.true"), height=380
            )
            fig.update_xaxes(type="category").update_yaxes(
                type="category"
            )  # digits' names are not numbers to space out
            ui.chart(
                fig, t(f"{PAGE}.confusion_summary", right=int(np.trace(matrix)), n=len(labels)), key="fusion_confusion"
            )
        with right:
            if focus not in fusion.FUSION:
                st.markdown(t(f"{PAGE}.pick_fusion"))
                return
            fixed, broken = fusion_lab.fixed_and_broken(lab, bank, probs, focus)
            for title, found in (
                (t(f"{PAGE}.fixed", n=len(fixed)), fixed),
                (t(f"{PAGE}.broken", n=len(broken)), broken),
            ):
                st.markdown(f"**{title}**")
                for column, i in zip(st.columns(4), found[:4]):
                    with column:
                        sample(lab, bank, rows[:, i], condition)
                        votes = [f"{short(m)}: {classes[probs[m][i].argmax()]}" for m in lab.modalities if m in probs]
                        st.caption(
                            " · ".join(
                                [
                                    *votes,
                                    f"**{short(focus)}: {classes[probs[focus][i].argmax()]}**",
                                    t(f"{PAGE}.truth", value=classes[labels[i]]),
                                ]
                            )
                        )


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
            st.image(np.kron((pixels * 255).astype(np.uint8), np.ones((8, 8, 1), np.uint8)))
        else:
            st.caption(f"“{registry.fusion_captions(conf.world, conf.seed, level)[position]}”")


def own_caption(lab: fusion.Lab, bank: fusion_lab.Bank) -> None:
    """Type a caption for a test sample's picture and sound, and see what every strategy makes of it."""
    st.subheader(t(f"{PAGE}.try_title"))
    if "text" not in lab.modalities:
        st.caption(t(f"{PAGE}.try_needs_text"))
        return
    captions = registry.world(conf.world, conf.seed).captions
    last = len(bank.test_index) - 1  # the other world has fewer test samples
    SAMPLE.bind(high=last)
    if CAPTION not in st.session_state:
        st.session_state[CAPTION] = captions[bank.test_index[SAMPLE.value]]
    left, right = st.columns([1, 2])
    with left:
        position = st.number_input(
            t(f"{PAGE}.try_sample"),
            **SAMPLE.limits(high=last),
            on_change=lambda: st.session_state.update({CAPTION: captions[bank.test_index[SAMPLE.value]]}),
        )
        index = bank.test_index[position]
        picture = registry.world(conf.world, conf.seed).images[index]
        st.image(np.kron(picture, np.ones((128 // picture.shape[0],) * 2 + (1,), np.uint8)))
        st.caption(t(f"{PAGE}.try_own", caption=captions[index]))
    with right:
        text = safe_input.text_box(t(f"{PAGE}.try_caption"), key=CAPTION)
        if text is None:
            return
        vocabulary = registry.fusion_dictionary(conf.world, conf.seed)
        unknown = features.out_of_vocabulary(vocabulary, text)
        if unknown:
            st.caption(t(f"{PAGE}.try_oov", words=", ".join(unknown)))
        inputs = {m: bank.features[m][0][[position]] for m in lab.modalities if m != "text"}
        probs = fusion_lab.predict(lab, {**inputs, "text": fusion.featurise("text", [text], vocabulary)})
        classes = [label(c) for c in fusion.class_names(lab.world, lab.task, len(lab.modalities))]
        rows = [[name(s), classes[p[0].argmax()], percent(p[0].max())] for s, p in probs.items()]
        st.markdown(table([t(f"{PAGE}.col_strategy"), t(f"{PAGE}.col_says"), t(f"{PAGE}.col_confidence")], rows, "llr"))
        ui.explain(f"{PAGE}.try_help_{lab.task}")


task, modalities = controls()
ui.step_buttons(PAGE, STEPS)
quiz = predict.ask(PAGE, STEPS)
lab = load(task, modalities)
bank = registry.fusion_bank(conf.world, conf.seed, modalities)
focus = strategies(lab)
condition = condition_controls(modalities)
curves = registry.fusion_curves(conf.world, conf.seed, task, "+".join(modalities))
clean = {s: curve[0] for s, curve in curves[modalities[0]].items()}  # level 0 of any curve is the clean test set
probs = fusion_lab.evaluate(lab, bank, condition)
now = fusion_lab.scores(probs, fusion_lab.test_task(lab, bank)[1])
results(lab, clean, now, condition)
quiz.reveal(lambda step: answer(step, now))
curves_section(lab, curves)
closer_look(lab, bank, probs, focus, condition)
own_caption(lab, bank)
ui.page_end()
