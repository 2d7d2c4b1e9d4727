"""Neural-network basics: one linear neuron per class, gradient descent played live, and why depth matters."""

import math
import time

import numpy as np
import streamlit as st

from components import drilldown_views, figures, i18n, passport, predict, safe_input, state, ui
from components.cache import neural_networks as cache
from components.cache import shared
from components.controls.neural_networks import CONTROL
from components.i18n import formatter, label, shown_as, t
from models.core import features, worlds
from models.neural_networks import basics as nb

PAGE = "neural_networks"
key, value, step = state.by_name(PAGE, CONTROL)
tp = i18n.scoped(PAGE)
ACTIVATION_NAMES = {"relu": "ReLU", "tanh": "tanh", "sigmoid": "sigmoid"}  # function names: the same in every language
TICK_SECONDS = 0.35  # while playing, the training fragment reruns this often...
PLAY_SECONDS = 8.0  # ...and keeps to a schedule: any run is spread over about 8 s (more epochs per tick if slow)


def activation_label(activation: str) -> str:
    """A function's own name, or "none" in the visitor's language."""
    return ACTIVATION_NAMES.get(activation) or tp("activation_none")


STEPS = [
    step("step_scores", "nn_scores", weights="trained", source="test", sample=0),
    step("step_untrained", "nn_templates", ("guess", "better", "always"), weights="run"),
    step("step_templates", "nn_templates", weights="trained"),
    step("step_linear", "nn_regions_linear", ("none", "some", "much"), layers=0),
    step("step_deep", "nn_regions_deep", ("same", "some", "much"), layers=1, width=8, activation="relu"),
]
conf = ui.page_start(PAGE, STEPS)
for _name, _control in CONTROL.items():
    if _name not in ("task", "sample"):  # bound with the world's attributes, or the pinned sample, later
        _control.bind()
world = shared.world(conf.world, conf.seed)
classes = worlds.MAIN_CLASSES[world.name]
class_names = [label(c) for c in classes]
image_shape = world.images.shape[1:]
data = cache.data(world.name, conf.seed)
x_test, y_test = data["test"]
with st.spinner(tp("training_defaults")):
    trained = {kind: cache.model(world.name, conf.seed, kind) for kind in nb.KINDS}


# ---------------------------------------------------------------- the live run (session state)
def current_run() -> nb.Run:
    """This visitor's own training run on this world: a fresh network, never a shared cached one."""
    owner = (world.name, conf.seed)
    stored = st.session_state.get(key("run"))
    if stored is None or stored[0] != owner:
        stored = (owner, nb.start_run(data, len(classes)))
        st.session_state[key("run")] = stored
        st.session_state[key("playing")] = False
    return stored[1]


def play() -> None:
    st.session_state[key("playing")] = not st.session_state.get(key("playing"), False)
    st.session_state[key("play_start")] = (time.perf_counter(), current_run().epoch)
    st.session_state[key("weights")] = "run"


def due_epoch(target: int) -> int:
    """Where a playing run should be by now: slow enough to watch, never slower than the budget."""
    started, from_epoch = st.session_state[key("play_start")]
    return from_epoch + math.ceil((time.perf_counter() - started) / PLAY_SECONDS * (target - from_epoch))


def one_epoch() -> None:
    st.session_state[key("playing")] = False
    st.session_state[key("weights")] = "run"
    nb.train_epoch(current_run(), data, value("lr"), value("batch"), value("l2"))


def reset() -> None:
    st.session_state.pop(key("run"), None)


def chosen_model() -> nb.PixelNet:
    return current_run().model if value("weights") == "run" else trained["linear"][0]


# ---------------------------------------------------------------- 1. one neuron per class
def pick_example(which: str, examples: dict[str, int | None]) -> None:
    st.session_state[key("source")] = "test"
    if which == "random":
        clicks = st.session_state.get(key("clicks"), 0) + 1
        st.session_state[key("clicks")] = clicks
        st.session_state[key("sample")] = int(np.random.default_rng([conf.seed, clicks]).integers(len(y_test)))
    else:
        st.session_state[key("sample")] = examples[which]


def chosen_input(model: nb.PixelNet) -> tuple[np.ndarray, int] | None:
    """The pixels to score and their true class: a test sample (never trained on) or the visitor's picture."""
    if value("source") == "upload":
        pixels = safe_input.image_upload(tp("upload"), key("upload"))
        if pixels is None:
            return None
        truth = st.selectbox(
            tp("upload_truth"), range(len(classes)), format_func=class_names.__getitem__, key=key("upload_truth")
        )
        return nb.fit_picture(pixels, world), truth
    examples = nb.curated_examples(nb.predict(model, x_test), y_test.numpy())
    CONTROL["sample"].bind(high=len(y_test) - 1, default=passport.position_in(world.indices("test")))
    picker, *buttons = st.columns([2.2, 1, 1, 1, 1], vertical_alignment="bottom")
    picker.number_input(
        tp("sample", n=len(y_test)), **CONTROL["sample"].limits(high=len(y_test) - 1), persist_state="page"
    )
    for column, which in zip(buttons, ("random", *nb.EXAMPLE_KINDS)):
        column.button(
            tp(f"example_{which}"),
            key=key(f"example_{which}"),
            width="stretch",
            disabled=which != "random" and examples[which] is None,
            on_click=pick_example,
            args=(which, examples),
        )
    i = value("sample")
    return world.images[world.indices("test")[i]], int(y_test[i])


def neuron_by_neuron(model: nb.PixelNet, pixels: np.ndarray, truth: int, scores: nb.Scores) -> None:
    st.markdown(tp("numbers_text"))
    rows = [
        [name, f"{d:+.3f}", f"{b:+.3f}", f"**{s:+.3f}**", f"{p:.3f}"]
        for name, d, b, s, p in zip(class_names, scores.dot, scores.bias, scores.scores, scores.probabilities)
    ]
    ui.table([tp(f"numbers.{c}") for c in ("neuron", "dot", "bias", "score", "probability")], rows, "lrrrr")
    x = features.image_vectors(pixels[None])[0]
    tiles = np.stack([nb.contributions(model, x, k, image_shape) for k in range(len(classes))])
    ui.chart(
        figures.tiled_heatmap(
            tiles[None],
            class_names,
            title=tp("contributions_title"),
            colorbar=tp("contribution"),
            height=template_height(1),
        ),
        tp("contributions_summary", truth=class_names[truth], dot=scores.dot[truth]),
        key="nn_contrib",
    )


def neurons_section() -> tuple[np.ndarray, int] | None:
    st.subheader(tp("neurons_title"))
    ui.explain(f"{PAGE}.neurons_text_{world.name}")
    left, right = st.columns(2)
    model = chosen_model()
    ui.radio(CONTROL["weights"], tp("weights"), f"{PAGE}.weights_", into=left)
    ui.radio(CONTROL["source"], tp("source"), f"{PAGE}.source_", into=right)
    left.caption(tp("weights_note", epochs=nb.EPOCHS, epoch=current_run().epoch))
    picked = chosen_input(model)
    if picked is None:
        return None
    pixels, truth = picked
    scores = nb.linear_scores(model, features.image_vectors(pixels[None])[0], truth)
    picture, score_col, probability_col = st.columns([1, 1.5, 1.5])
    picture.image(figures.enlarged(pixels, 224), caption=tp("input_title", truth=class_names[truth]), width="stretch")
    with score_col:
        ui.chart(
            figures.bars(
                scores.scores,
                class_names,
                tp("scores_title"),
                highlight=truth,
                xlabel=tp("score"),
                height=250,
            ),
            key="nn_scores",
        )
    with probability_col:
        ui.chart(
            figures.bars(
                scores.probabilities,
                class_names,
                tp("probabilities_title"),
                highlight=truth,
                xlabel=t("common.probability"),
                height=250,
                value_range=(0, 1.15),
                text_format="{:.2f}",
            ),
            key="nn_probs",
        )
    winner = int(np.argmax(scores.scores))
    st.markdown(
        tp(
            "verdict",
            predicted=class_names[winner],
            truth=class_names[truth],
            p=scores.probabilities[truth],
            loss=scores.loss,
        )
    )
    vector = features.image_vectors(pixels[None])[0]
    drilldown_views.neuron(key("look_neuron"), model, pixels, vector, class_names, winner)
    numbers = st.expander(tp("numbers_title"), key=key("numbers"), on_change="rerun")
    if numbers.open:  # drawn only when asked for
        with numbers:
            neuron_by_neuron(model, pixels, truth, scores)
    return pixels, truth


# ---------------------------------------------------------------- 2. and 3. training, live
def training_section() -> None:
    st.subheader(tp("train_title"))
    ui.explain(f"{PAGE}.train_text")
    lr, batch, l2, epochs = st.columns(4)
    lr.select_slider(tp("lr"), CONTROL["lr"].options, key=key("lr"))
    batch.select_slider(tp("batch"), CONTROL["batch"].options, key=key("batch"))
    l2.select_slider(tp("l2"), CONTROL["l2"].options, key=key("l2"))
    epochs.slider(tp("epochs"), **CONTROL["epochs"].limits())
    run = current_run()
    playing = st.session_state.get(key("playing"), False)
    finished = run.epoch >= value("epochs")
    play_col, step_col, reset_col, note = st.columns([1, 1, 1, 3], vertical_alignment="center")
    play_col.button(
        tp("pause" if playing else "play"),
        key=key("play"),
        width="stretch",
        type="primary",
        disabled=finished and not playing,
        on_click=play,
    )
    step_col.button(tp("step"), key=key("step_epoch"), width="stretch", on_click=one_epoch, help=tp("step_help"))
    reset_col.button(tp("reset"), key=key("reset"), width="stretch", on_click=reset)
    n_train = len(data["train"][1])
    note.caption(tp("steps_per_epoch", steps=math.ceil(n_train / value("batch")), n=n_train))
    st.fragment(live, run_every=TICK_SECONDS if playing else None)()


def live() -> None:
    """The part that redraws while playing: each tick trains a few epochs, then the charts grow."""
    run = current_run()
    target = value("epochs")
    if st.session_state.get(key("playing")):
        for _ in range(max(1, min(due_epoch(target), target) - run.epoch)):
            nb.train_epoch(run, data, value("lr"), value("batch"), value("l2"))
        if run.epoch >= target:
            st.session_state[key("playing")] = False
            st.rerun()  # the whole page: the timer stops and the scores above use the trained run
    curves = run.curves
    st.progress(
        min(run.epoch / target, 1.0),
        text=tp(
            "progress",
            epoch=run.epoch,
            total=target,
            loss=curves.train_loss[-1],
            accuracy=curves.validation_accuracy[-1],
        ),
    )
    epochs = list(range(run.epoch + 1))
    splits = (tp("train_split"), tp("validation_split"))
    x_max = max(target, run.epoch)  # a fixed frame: the curves grow into it
    loss_col, accuracy_col = st.columns(2)
    with loss_col:
        ui.chart(
            figures.growing_lines(
                epochs,
                dict(zip(splits, (curves.train_loss, curves.validation_loss))),
                tp("loss_title"),
                tp("epoch"),
                tp("loss"),
                x_max=x_max,
                y_max=1.05 * max(curves.train_loss + curves.validation_loss),
            ),
            key="nn_loss",
        )
    with accuracy_col:
        ui.chart(
            figures.growing_lines(
                epochs,
                dict(zip(splits, (curves.train_accuracy, curves.validation_accuracy))),
                tp("accuracy_title"),
                tp("epoch"),
                tp("accuracy"),
                x_max=x_max,
                y_max=1.02,
                reference=1 / len(classes),
                reference_label=tp("chance"),
            ),
            key="nn_accuracy",
        )
    st.caption(
        tp(
            "curves_summary",
            start=curves.train_loss[0],
            end=curves.train_loss[-1],
            accuracy=curves.validation_accuracy[-1],
            epoch=run.epoch,
            seconds=run.seconds,
        )
    )
    templates_section(run)


def templates_section(run: nb.Run) -> None:
    st.subheader(tp("templates_title"))
    ui.explain(f"{PAGE}.templates_text")
    shown = run.epoch
    if run.epoch > 0 and not st.session_state.get(key("playing")):
        if st.session_state.get(key("epoch_seen")) != run.epoch:  # a new epoch: show it
            st.session_state[key("shown_epoch")] = run.epoch
            st.session_state[key("epoch_seen")] = run.epoch
        shown = st.slider(tp("shown_epoch"), 0, run.epoch, key=key("shown_epoch"))
    run_maps = nb.templates(run.weights[shown], image_shape)
    trained_maps = nb.templates(trained["linear"][0].first_layer.weight.numpy(), image_shape)
    rows = [tp("run_row", epoch=shown), tp("trained_row")]
    facts = nb.template_summary(nb.template_match(run_maps, cache.class_means(world.name, conf.seed)))
    ui.chart(
        figures.tiled_heatmap(
            np.stack([nb.unit_scale(run_maps), nb.unit_scale(trained_maps)]),
            class_names,
            rows,
            colorbar=tp("weight"),
            height=template_height(len(rows)),
        ),
        tp("templates_summary", epoch=shown, k=len(classes), **facts),
        key="nn_templates",
    )


def template_height(rows: int) -> int:
    """Tall enough for square pixels across the page's width: ten small digit tiles need less than four shapes."""
    h, w = image_shape[:2]
    return int(min(max(90 + 700 * rows * (h + 1) / (len(classes) * (w + 1)), 200), 360))


# ---------------------------------------------------------------- 4. depth
def depth_section() -> None:
    st.subheader(tp("deep_title"))
    ui.explain(f"{PAGE}.deep_text")
    tasks = tuple(world.attributes)
    CONTROL["task"].bind(options=tasks, default=nb.NONLINEAR_TASK[world.name])
    task, layers, width, activation = st.columns(4)
    task.selectbox(tp("task"), tasks, format_func=formatter("common.attr."), key=key("task"))
    layers.slider(tp("layers"), **CONTROL["layers"].limits())
    width.select_slider(tp("width"), CONTROL["width"].options, key=key("width"), disabled=value("layers") == 0)
    activation.selectbox(
        tp("activation"),
        CONTROL["activation"].options,
        key=key("activation"),
        format_func=shown_as({a: activation_label(a) for a in CONTROL["activation"].options}),
        disabled=value("layers") == 0,
    )
    hidden = (value("width"),) * value("layers")
    attribute = value("task")
    names = [label(c) for c in world.classes[attribute]]
    plane = cache.plane(world.name, conf.seed)
    test = world.indices("test")
    labels = world.labels(attribute)[test]
    chance = float(np.bincount(labels).max() / len(labels))
    linear = cache.plane_model(world.name, conf.seed, attribute, (), "relu")
    deep = cache.plane_model(world.name, conf.seed, attribute, hidden, value("activation"))
    activation_name = activation_label(value("activation"))
    sizes = nb.layer_sizes(2, hidden, len(names))
    arrows = " → ".join(map(str, sizes))
    deep_name = tp("deep_name", sizes=arrows, activation=activation_name) if hidden else tp("linear_plane_name")
    for column, result, name, which in zip(
        st.columns(2), (linear, deep), (tp("linear_plane_name"), deep_name), ("linear", "deep")
    ):
        with column:
            fig = figures.decision_regions(
                result["xs"],
                result["ys"],
                result["regions"],
                plane[test],
                labels,
                names,
                tp("regions_title", name=name, accuracy=result["accuracy"]),
                tp("component", n=1),
                tp("component", n=2),
                height=400,
            )
            summary = tp("regions_summary", accuracy=result["accuracy"], chance=chance, parameters=result["parameters"])
            if result["accuracy"] < chance:  # a fitted model below the majority guess needs a word
                summary += " " + tp("regions_below_majority")
            ui.chart(fig, summary, key=f"nn_regions_{which}")
    layer_names = (
        [tp("input_layer")]
        + [tp("hidden_layer", n=i + 1, activation=activation_name) for i in range(len(hidden))]
        + [tp("output_layer")]
    )
    ui.chart(
        figures.network_diagram(sizes, layer_names, tp("diagram_title", parameters=deep["parameters"]), height=300),
        tp("diagram_summary", sizes=arrows),
        key="nn_diagram",
        wide=True,
    )
    ui.explain(f"{PAGE}.deep_detail")


# ---------------------------------------------------------------- 5. parameters vs inference
def cost_section(picked: tuple[np.ndarray, int] | None) -> None:
    st.subheader(tp("cost_title"))
    ui.explain(f"{PAGE}.cost_text")
    run = current_run()
    learned, inference = st.columns(2, border=True)
    names = {kind: tp(f"kind_{kind}", hidden=nb.MLP_HIDDEN[0]) for kind in nb.KINDS}
    with learned:
        st.markdown(f"**{tp('learned_once')}**")
        rows = [
            [
                names[kind],
                f"{meta['parameters']:,}",
                meta["epochs"],
                f"{meta['train_seconds']:.2f} s",
                ui.percent(meta["test_accuracy"]),
            ]
            for kind, (_, meta) in trained.items()
        ]
        rows.append(
            [
                tp("run_short"),
                f"{nb.parameter_count(run.model):,}",
                run.epoch,
                f"{run.seconds:.2f} s",
                ui.percent(nb.test_accuracy(run.model, data)),
            ]
        )
        ui.table([tp(f"learned.{c}") for c in ("model", "parameters", "epochs", "training", "accuracy")], rows, "lrrrr")
        st.caption(tp("learned_note"))
    with inference:
        st.markdown(f"**{tp('per_input')}**")
        if picked is None:
            st.info(tp("no_input"))
            return
        pixels = features.image_vectors(picked[0][None])[0]
        rows = []
        for kind, (model, _) in trained.items():
            probabilities = nb.predict(model, pixels[None])[0]
            top = int(np.argmax(probabilities))
            seconds = nb.inference_seconds(model, pixels)
            rows.append(
                [
                    names[kind],
                    f"{nb.multiply_adds(model):,}",
                    f"{seconds * 1e6:.0f} µs",
                    f"{class_names[top]} ({probabilities[top]:.2f})",
                ]
            )
        ui.table([tp(f"inference.{c}") for c in ("model", "multiply_adds", "forward", "prediction")], rows, "lrrl")
        st.caption(tp("inference_note"))


def answer(step: int) -> tuple[str, dict[str, str]]:
    """The right choice of step `step`'s question, from the test accuracies of the models on screen."""
    if STEPS[step].caption_key == key("step_untrained"):
        run, guess = current_run(), 1 / len(classes)
        accuracy = nb.test_accuracy(run.model, data)
        numbers = {"epoch": run.epoch, "accuracy": f"{accuracy:.0%}", "n": len(classes), "guess": f"{guess:.0%}"}
        return ("always" if accuracy > 0.9 else "guess" if accuracy < guess + 0.1 else "better"), numbers
    attribute, hidden = value("task"), (value("width"),) * value("layers")
    labels = world.labels(attribute)[world.indices("test")]
    chance = float(np.bincount(labels).max() / len(labels))
    linear = cache.plane_model(world.name, conf.seed, attribute, (), "relu")["accuracy"]
    deep = cache.plane_model(world.name, conf.seed, attribute, hidden, value("activation"))["accuracy"]
    deep_step = STEPS[step].caption_key == key("step_deep")  # the gain of the hidden layer, else of the line
    gain = deep - linear if deep_step else linear - chance
    numbers = {
        "linear": f"{linear:.1%}",
        "deep": f"{deep:.1%}",
        "chance": f"{chance:.1%}",
        "gain": tp("points", n=f"{gain * 100:+.1f}"),
    }
    small = "same" if deep_step else "none"
    return (small if gain < 0.05 else "much" if gain > 0.2 else "some"), numbers


ui.step_buttons(PAGE, STEPS)
quiz = predict.ask(PAGE, STEPS)
picked_input = neurons_section()
st.divider()
training_section()
st.divider()
depth_section()
quiz.reveal(answer)
st.divider()
cost_section(picked_input)
ui.page_end()
