"""The "look inside" views: each opens, under the chart it explains, one computation of the page's
model with the numbers of the sample on screen, stepped with components/stepper.py.

The numbers come from models/<page>/drilldown.py, which run the page's own model code; these functions
only lay them out (figures from components/drilldown.py, strings from locales/*/drilldown.toml).
Each view is drawn only while its expander is open.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import streamlit as st

from components import drilldown, figures, ui
from components.i18n import shown_as, t
from components.stepper import stepper
from models.alignment import drilldown as ad
from models.alignment import explicit
from models.core import audio
from models.neural_networks import drilldown as nd
from models.spectrograms import drilldown as sd

NEURON_STEPS = ("x", "w", "product", "bias", "softmax")
ATTENTION_STEPS = ("vectors", "scores", "scaled", "softmax", "sum")
DTW_STEPS = ("local", "predecessors", "candidates", "choice", "pointer")
MEL_STEPS = ("spectrum", "filter", "products", "sum")


def _opened(key: str, label: str):
    """The view's expander, or None while it is closed (then nothing of the view is computed)."""
    box = st.expander(label, key=key, on_change="rerun")
    return box if box.open else None


def _titles(prefix: str, steps: Sequence[str]) -> list[str]:
    return [t(f"drilldown.{prefix}_title_{step}") for step in steps]


def _slider_value(key: str, default: int, low: int, high: int) -> None:
    """A slider's value before it is drawn: its default the first time, afterwards the visitor's, kept
    inside limits that depend on the sample (a shorter path, fewer bands)."""
    st.session_state[key] = int(min(max(st.session_state.get(key, default), low), high))


def _db(value: float) -> float:
    """Decibels to one decimal without a "-0.0": the loudest cell is 0 dB up to float32's rounding."""
    return round(float(value), 1) + 0.0


def _cell(z: np.ndarray, pick) -> tuple[int, int, float]:
    """(row, column, value) of the cell `pick` (np.argmax, np.argmin) chooses, counted from 1."""
    row, column = np.unravel_index(int(pick(z)), z.shape)
    return int(row) + 1, int(column) + 1, float(z[row, column])


# ---------------------------------------------------------------- one neuron
def neuron(key: str, model, picture: np.ndarray, pixels: np.ndarray, class_names: Sequence[str], chosen: int) -> None:
    """Class k's neuron of a linear pixel network on one picture (pixels: its (H*W*3,) vector in [0, 1])."""
    box = _opened(key, t("drilldown.neuron_open"))
    if box is None:
        return
    with box:
        k = st.selectbox(
            t("drilldown.neuron_class"),
            range(len(class_names)),
            index=chosen,
            format_func=shown_as(dict(enumerate(class_names))),
            key=f"{key}.class",
        )
        found = nd.neuron(model, pixels, k, picture.shape)
        name, n = class_names[k], pixels.size

        def draw(step: int) -> None:
            kind = NEURON_STEPS[step]
            x_map = drilldown.pixel_map(found.x, t("drilldown.neuron_x"), "x")
            if kind == "x":
                st.markdown(t("drilldown.neuron_text_x", n=n))
                r, c, v = _cell(found.x, np.argmax)
                ui.chart(
                    [figures.image(picture, t("drilldown.neuron_picture"), height=300), x_map],
                    t("drilldown.neuron_x_summary", r=r, c=c, value=v, n=n),
                    key=f"{key}_x",
                )
            elif kind in ("w", "product"):
                st.markdown(t(f"drilldown.neuron_text_{kind}", name=name, n=n, dot=found.dot))
                panels = [x_map, drilldown.pixel_map(found.w, t("drilldown.neuron_w", name=name), "w")]
                if kind == "product":
                    panels.append(drilldown.pixel_map(found.product, t("drilldown.neuron_product"), "w × x"))
                up_r, up_c, up = _cell(found.product, np.argmax)
                down_r, down_c, down = _cell(found.product, np.argmin)
                summary = t(
                    "drilldown.neuron_product_summary",
                    up_r=up_r,
                    up_c=up_c,
                    up=up,
                    down_r=down_r,
                    down_c=down_c,
                    down=down,
                    dot=found.dot,
                )
                ui.chart(panels, summary if kind == "product" else None, key=f"{key}_{kind}")
            elif kind == "bias":
                st.markdown(t("drilldown.neuron_text_bias", dot=found.dot, bias=found.bias, score=found.score))
                parts = [t(f"drilldown.neuron_part_{p}") for p in ("dot", "bias", "score")]
                ui.chart(
                    drilldown.score_parts(
                        parts,
                        [found.dot, found.bias, found.score],
                        t("drilldown.neuron_parts_title"),
                        t("drilldown.neuron_score_axis"),
                    ),
                    key=f"{key}_bias",
                )
            else:
                st.markdown(
                    t(
                        "drilldown.neuron_text_softmax",
                        top=float(found.scores.max()),
                        name=name,
                        e=float(found.exponentials[k]),
                        total=float(found.exponentials.sum()),
                        p=found.probability,
                    )
                )
                height = 110 + 26 * len(class_names)
                ui.chart(
                    [
                        figures.bars(
                            found.scores,
                            class_names,
                            t("drilldown.neuron_scores"),
                            highlight=k,
                            xlabel=t("drilldown.neuron_score_axis"),
                            height=height,
                        ),
                        figures.bars(
                            found.probabilities,
                            class_names,
                            t("drilldown.neuron_probabilities"),
                            highlight=k,
                            xlabel=t("common.probability"),
                            height=height,
                            value_range=(0, 1.2),
                            text_format="{:.3f}",
                        ),
                    ],
                    key=f"{key}_softmax",
                )

        stepper(key, _titles("neuron", NEURON_STEPS), draw)


# ---------------------------------------------------------------- one attention row
def attention(key: str, generator, image: np.ndarray, words: Sequence[str]) -> None:
    """One cross-attention row of the generative captioner while it writes one of `words` about `image`."""
    from models.captioning import captioners as captioning
    from models.captioning import drilldown as cd

    box = _opened(key, t("drilldown.attention_open"))
    if box is None:
        return
    with box:
        if not words:
            st.info(t("drilldown.attention_none"))
            return
        word_col, layer_col, head_col = st.columns([4, 1, 1])
        word = word_col.radio(
            t("drilldown.attention_word"),
            range(len(words)),
            format_func=shown_as({i: f"{i + 1}. {w}" for i, w in enumerate(words)}),
            horizontal=True,
            key=f"{key}.word",
        )
        layer = layer_col.selectbox(
            t("drilldown.attention_layer"),
            range(captioning.LAYERS),
            format_func=lambda i: str(i + 1),
            key=f"{key}.layer",
        )
        head = head_col.selectbox(
            t("drilldown.attention_head"), range(captioning.HEADS), format_func=lambda i: str(i + 1), key=f"{key}.head"
        )
        row = cd.attention_row(generator, image, words, min(word, len(words) - 1), layer, head)
        grid = captioning.PATCH_GRID
        labels = [t("drilldown.attention_summary_token")] + [
            t("drilldown.attention_patch", r=r + 1, c=c + 1) for r in range(grid) for c in range(grid)
        ]
        d = len(row.query)
        facts = {
            "word": words[word],
            "n": word + 1,
            "layer": layer + 1,
            "head": head + 1,
            "heads": captioning.HEADS,
            "width": captioning.WIDTH,
            "patches": grid * grid,
            "d": d,
            "scale": row.scale,
        }

        def spread(values: np.ndarray, what: str, text_format: str, diverging: bool, step: str) -> None:
            """One value per key, twice: as bars (the summary token too) and laid out as the patches."""
            best = int(np.argmax(values))
            low, high = min(0.0, float(values.min())), max(0.0, float(values.max()))
            span = (high - low) or 1.0  # room on both sides for the numbers written beside the bars
            ui.chart(
                [
                    figures.bars(
                        values,
                        labels,
                        what,
                        highlight=best,
                        height=110 + 20 * len(labels),
                        text_format="{:" + text_format + "}",
                        value_range=(low - 0.45 * span, high + 0.35 * span) if diverging else (0, 1.25),
                    ),
                    drilldown.grid_values(
                        values[1:].reshape(grid, grid),
                        t("drilldown.attention_on_patches", what=what),
                        "",  # the title names it
                        diverging,
                        text_format.lstrip("+"),
                    ),
                ],
                t(
                    "drilldown.attention_grid_summary",
                    what=what,
                    best=labels[best],
                    value=float(values[best]),
                    summary=float(values[0]),
                ),
                key=f"{key}_{step}",
            )

        def draw(step: int) -> None:
            kind = ATTENTION_STEPS[step]
            best = int(np.argmax(row.scores))
            if kind == "vectors":
                st.markdown(t("drilldown.attention_text_vectors", **facts))
                coordinate = t("drilldown.attention_coordinate")
                ui.chart(
                    [
                        drilldown.vectors(
                            row.query[None], [f"q · {words[word]}"], t("drilldown.attention_query"), "", coordinate
                        ),
                        drilldown.vectors(
                            row.keys, labels, t("drilldown.attention_keys"), t("drilldown.value"), coordinate, best
                        ),
                    ],
                    t("drilldown.attention_vectors_summary", d=d, keys=len(labels)),
                    key=f"{key}_vectors",
                    widths=(1, 1.4),
                )
            elif kind in ("scores", "scaled"):
                values = row.scores if kind == "scores" else row.scaled
                st.markdown(
                    t(f"drilldown.attention_text_{kind}", best=labels[best], value=float(values[best]), **facts)
                )
                spread(values, t(f"drilldown.attention_{kind}", d=d), "+.2f", True, kind)
            elif kind == "softmax":
                st.markdown(
                    t(
                        "drilldown.attention_text_softmax",
                        best=labels[int(np.argmax(row.weights))],
                        value=float(row.weights.max()),
                        summary=float(row.weights[0]),
                        diff=float(np.abs(row.weights - row.model_weights).max()),
                    )
                )
                spread(row.weights, t("drilldown.attention_weights"), ".2f", False, kind)
            else:
                diff = float(np.abs(row.output - row.model_output).max())
                st.markdown(t("drilldown.attention_text_sum", diff=diff, **facts))
                coordinate = t("drilldown.attention_coordinate")
                ui.chart(
                    [
                        drilldown.vectors(
                            row.weighted,
                            labels,
                            t("drilldown.attention_values"),
                            t("drilldown.value"),
                            coordinate,
                            int(np.argmax(row.weights)),
                        ),
                        drilldown.vectors(
                            row.output[None], ["Σ"], t("drilldown.attention_output"), t("drilldown.value"), coordinate
                        ),
                    ],
                    t("drilldown.attention_sum_summary"),
                    key=f"{key}_sum",
                    widths=(1.4, 1),
                )

        stepper(key, _titles("attention", ATTENTION_STEPS), draw)


# ---------------------------------------------------------------- one DTW cell
def dtw_cell(key: str, found: explicit.Explicit, pattern: str, band: float, pattern_name: str) -> None:
    """One cell on the warping path of the page's alignment, filled in the way DTW fills it."""
    box = _opened(key, t("drilldown.dtw_open"))
    if box is None:
        return
    with box:
        if found.path is None or len(found.path) < 2:
            st.info(t("drilldown.dtw_no_path"))
            return
        last = len(found.path)
        _slider_value(f"{key}.position", last // 2, 2, last)  # the start cell has no predecessors: from the second on
        position = st.slider(t("drilldown.dtw_position", total=last), 2, last, key=f"{key}.position")
        i, j = map(int, found.path[position - 1])
        cell = ad.dtw_cell(found.cost, pattern, band, i, j)
        fi, fj = cell.back_pointer
        ways = [
            (p, w, prev, cand)
            for p, w, prev, cand in zip(cell.predecessors, cell.weights, cell.previous, cell.candidates)
        ]
        reachable = [way for way in ways if np.isfinite(way[3])]
        path = [tuple(map(int, p)) for p in found.path]
        rows, columns = cell.rows[:, None], cell.columns[None, :]
        filled = np.where(rows + columns < i + j, cell.window_accumulated, np.nan)  # anti-diagonals done before
        names = (t("drilldown.dtw_recording_frame"), t("drilldown.dtw_reader_frame"), t("drilldown.dtw_cost_axis"))
        summary = t(
            "drilldown.dtw_window_summary",
            r0=int(cell.rows[0]),
            r1=int(cell.rows[-1]),
            c0=int(cell.columns[0]),
            c1=int(cell.columns[-1]),
            i=i,
            j=j,
        )
        outlined = [p for p, *_ in reachable]

        def window(z: np.ndarray, title: str, **marks) -> None:
            ui.chart(
                drilldown.cell_window(z, cell.rows, cell.columns, (i, j), title, *names, **marks),
                summary,
                key=f"{key}_window",
            )

        def draw(step: int) -> None:
            kind = DTW_STEPS[step]
            if kind == "local":
                st.markdown(
                    t(
                        "drilldown.dtw_text_local",
                        i=i,
                        j=j,
                        ti=float(explicit.seconds_of(i)),
                        tj=float(explicit.seconds_of(j)),
                        local=cell.local,
                    )
                )
                window(cell.window_cost, t("drilldown.dtw_cost_window"))
            elif kind == "predecessors":
                cells = ", ".join(f"D({a}, {b}) = {prev:.2f}" for (a, b), _, prev, _ in reachable)
                st.markdown(
                    t("drilldown.dtw_text_predecessors", pattern=pattern_name, count=len(reachable), cells=cells)
                )
                window(filled, t("drilldown.dtw_filled_window"), outlined=outlined)
            elif kind == "candidates":
                sums = "; ".join(
                    f"{prev:.2f} + {w:g} × {cell.local:.2f} = **{cand:.2f}**" for _, w, prev, cand in reachable
                )
                st.markdown(t("drilldown.dtw_text_candidates", sums=sums))
                labels = [t("drilldown.dtw_candidate", fi=a, fj=b) for (a, b), *_ in reachable]
                best = [p for p, *_ in reachable].index((fi, fj))
                low = min(c for *_, c in reachable)
                high = max(c for *_, c in reachable)
                pad = 0.5 * ((high - low) or abs(high) * 0.01 or 1.0)
                ui.chart(
                    figures.bars(
                        [c for *_, c in reachable],
                        labels,
                        t("drilldown.dtw_candidates", i=i, j=j),
                        highlight=best,
                        xlabel=t("drilldown.dtw_cost_axis"),
                        height=110 + 34 * len(labels),
                        value_range=(low - pad, high + pad),
                        text_format="{:.2f}",
                    ),
                    key=f"{key}_candidates",
                )
            elif kind == "choice":
                tie = int((cell.candidates == cell.candidates[cell.choice]).sum()) > 1
                st.markdown(
                    t(
                        "drilldown.dtw_text_choice_tie" if tie else "drilldown.dtw_text_choice",
                        i=i,
                        j=j,
                        value=cell.accumulated,
                        fi=fi,
                        fj=fj,
                    )
                )
                done = filled.copy()
                done[i - cell.rows[0], j - cell.columns[0]] = cell.accumulated
                window(done, t("drilldown.dtw_filled_window"), outlined=[(fi, fj)])
            else:
                st.markdown(t("drilldown.dtw_text_pointer", fi=fi, fj=fj, total=found.total))
                window(
                    cell.window_accumulated,
                    t("drilldown.dtw_accumulated_window"),
                    path=path,
                    arrow=(fi, fj),
                )

        stepper(key, _titles("dtw", DTW_STEPS), draw)


# ---------------------------------------------------------------- one mel filter
def mel_row(key: str, power: np.ndarray, sr: int, n_fft: int, n_mels: int, top_db: float, frame: int) -> None:
    """One band of the mel filter bank applied to the page's current window."""
    box = _opened(key, t("drilldown.mel_open"))
    if box is None:
        return
    with box:
        _slider_value(f"{key}.band", sd.loudest_band(power, sr, n_fft, n_mels, frame) + 1, 1, n_mels)
        band = st.slider(t("drilldown.mel_band"), 1, n_mels, key=f"{key}.band")
        row = sd.mel_row(power, sr, n_fft, n_mels, top_db, band - 1, frame)
        low, centre, high = row.edges_hz
        bin_hz = sr / n_fft
        near = np.flatnonzero((row.hz >= low - 2 * bin_hz) & (row.hz <= high + 2 * bin_hz))
        khz = row.hz / 1000
        facts = {"frame": frame + 1, "band": band, "n_mels": n_mels, "low": low, "centre": centre, "high": high}
        count = len(row.inside)

        def bins(products: bool) -> None:
            ui.chart(
                drilldown.filter_over_bins(
                    khz[near],
                    row.spectrum[near],
                    row.weights[near],
                    t("drilldown.mel_filter", band=band),
                    t("common.frequency_khz"),
                    t("drilldown.mel_power"),
                    t("drilldown.mel_weight"),
                    row.products[near] if products else None,
                    t("drilldown.mel_product"),
                ),
                t("drilldown.mel_filter_summary", count=count, total=row.total),
                key=f"{key}_bins",
            )

        def draw(step: int) -> None:
            kind = MEL_STEPS[step]
            if kind == "spectrum":
                st.markdown(t("drilldown.mel_text_spectrum", bins=len(row.hz), bin_hz=bin_hz, **facts))
                db = audio.to_db(row.spectrum[:, None], top_db)[:, 0]
                ui.chart(
                    drilldown.spectrum_with_band(
                        khz,
                        db - db.max(),
                        (low / 1000, high / 1000),
                        t("drilldown.mel_spectrum", frame=frame + 1),
                        t("common.frequency_khz"),
                        t("drilldown.mel_db"),
                    ),
                    t("drilldown.mel_spectrum_summary", peak=float(row.hz[int(np.argmax(row.spectrum))])),
                    key=f"{key}_spectrum",
                )
            elif kind == "filter":
                text = "drilldown.mel_text_filter" if count else "drilldown.mel_text_filter_empty"
                st.markdown(t(text, count=count, bin_hz=bin_hz, **facts))
                bins(products=False)
            elif kind == "products":
                top = int(np.argmax(row.products))
                if count:
                    st.markdown(
                        t("drilldown.mel_text_products", top_hz=float(row.hz[top]), top=float(row.products[top]))
                    )
                else:  # an empty band: nothing to multiply
                    st.markdown(t("drilldown.mel_text_filter_empty", bin_hz=bin_hz, **facts))
                bins(products=True)
            else:
                st.markdown(t("drilldown.mel_text_sum", total=row.total, band=band, top_db=top_db, db=_db(row.db)))
                ui.chart(
                    drilldown.column_bars(
                        row.column_db,
                        band - 1,
                        t("drilldown.mel_column", frame=frame + 1),
                        t("drilldown.mel_band_axis"),
                        t("drilldown.mel_db"),
                        -float(top_db),
                    ),
                    t(
                        "drilldown.mel_column_summary",
                        band=band,
                        db=_db(row.db),
                        loudest=_db(row.column_db.max()),
                    ),
                    key=f"{key}_column",
                )

        stepper(key, _titles("mel", MEL_STEPS), draw)
