"""Page furniture: the intro, explanations, charts with their text summary, presenter steps.

Presenter mode is handled here once: big type, only each page's key idea, larger charts, and the
Previous / Next controls of a page's guided steps. Pages never test for presenter mode themselves
except to skip optional detail, which `explain()` already does.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Sequence
from contextlib import nullcontext

import plotly.graph_objects as go
import streamlit as st

from components import deck, export, i18n, locks, passport, predict, settings, state, warmup
from components.i18n import t

_PRESENTER_CSS = """<style>
.stMainBlockContainer .stMarkdown p, .stMainBlockContainer .stMarkdown li { font-size: 1.45rem !important; }
.stMainBlockContainer [data-testid="stWidgetLabel"] p { font-size: 1.2rem !important; }
.stMainBlockContainer h1 { font-size: 3.2rem !important; }
.stMainBlockContainer h3 { font-size: 2.1rem !important; }
.stMainBlockContainer .stCaption,
.stMainBlockContainer [data-testid="stCaptionContainer"] p { font-size: 1.15rem !important; }
.stMainBlockContainer .stMarkdown td, .stMainBlockContainer .stMarkdown th { font-size: 1.2rem !important; }
[data-testid="stLayoutWrapper"]:has(> .st-key-presenter_steps) { position: sticky; top: 3.75rem; z-index: 990;
  background: var(--st-background-color, #fff); padding: 0.4rem 0; border-bottom: 1px solid rgba(49, 51, 63, 0.15);
  box-shadow: 0 -3.75rem 0 0 var(--st-background-color, #fff); }  /* hides what scrolls past above the bar */
.st-key-presenter_focus { scroll-margin-top: 13rem; }
</style>"""
# On every page: a markdown table wider than its column scrolls sideways instead of running under the
# next column or off a phone's screen.
_BASE_CSS = """<style>
.stMainBlockContainer .stMarkdown table { display: block; max-width: 100%; overflow-x: auto; }
/* On a phone Plotly's toolbar lies over the chart it belongs to and its zoom tools fight the page's
   scrolling; Streamlit's own full-screen button stays. */
@media (max-width: 640px) { .stPlotlyChart .modebar-container { display: none; } }
/* A chart whose boxes or cells hold words keeps a readable width on a phone and scrolls sideways. */
@media (max-width: 640px) {
  [class*="st-key-wide_"] { overflow-x: auto; }
  [class*="st-key-wide_"] > .stElementContainer { min-width: 600px; }
}
</style>"""
PRESENTER_FONT = 20
PRESENTER_AXIS_CHARS = 34  # an axis title's line in presenter type, to fit a chart half a projector wide
_SHOWN = "_page_shown"  # the page this session's last run showed
_FOCUS = "_presenter_focus"  # (chart key, "<page>:<step>") of the chart the current step talks about
_SCROLLED = "_presenter_scrolled"  # the last "<page>:<step>" whose chart the presenter was taken to
# Presenter mode: bring the step's chart into view once, when the step is first shown. The chart's
# container is found by its key's class; the script waits for it to be drawn, then follows it while
# the charts above it finish drawing and push it down (on a slow machine that takes seconds), and
# stops as soon as the presenter scrolls or presses a key themself.
_SCROLL_JS = """<script>
(function () {
  let stopped = false;
  for (const kind of ['wheel', 'touchstart', 'keydown']) {
    window.addEventListener(kind, () => { stopped = true; }, {once: true, passive: true});
  }
  let last = null, still = 0;
  (function follow(tries) {
    if (stopped || tries <= 0) return;
    const chart = document.querySelector('.st-key-presenter_focus');
    if (chart) {
      const top = chart.getBoundingClientRect().top;
      if (last === null || Math.abs(top - last) > 4) {
        chart.scrollIntoView({behavior: 'smooth', block: 'start'});
        still = 0;
      } else if (++still >= 8) {
        return;  // in place for 1.6 s: the page has settled
      }
      last = top;
    }
    setTimeout(() => follow(tries - 1), 200);
  })(75);  // up to 15 s
})();
</script>"""


def page_start(page: str, sequence: list[state.Step] | None = None) -> settings.Settings:
    """Everything a page shows before its own content: presenter styling, the guided steps and the
    intro. The shared settings were declared and drawn by the router (app.py) before the page ran.
    """
    st.html(_BASE_CSS)
    presenting = settings.current().presenting
    if presenting:
        st.html(_PRESENTER_CSS)
    # the lecture deck's bar, and in presenter mode the page's steps under it, stay at the top of the screen
    top = st.container(key="presenter_steps") if presenting and (sequence or deck.views()) else None
    if top and deck.views():  # a taller bar: the step's chart stops further down
        st.html("<style>.st-key-presenter_focus { scroll-margin-top: 18rem; }</style>")
    with top or nullcontext():
        deck.bar()
    steps(page, sequence or [], top or st)
    intro(page)
    return settings.current()


def page_end() -> None:
    """After a page has declared its state: the share box links to all of it, and so does the URL (with
    the lecture deck, while one is loaded)."""
    page = st.session_state.get(_SHOWN, "")
    settings.share_box(deck.link, lambda: locks.chooser(page))
    state.sync_url(deck.link_params())
    warmup.start()  # after the first page is drawn, so the compile never competes with it


def intro(page: str) -> None:
    """The page's title and its idea: the whole paragraph, or only the key idea when presenting."""
    st.title(t(f"{page}.title"))
    if settings.current().presenting:
        st.markdown(f"### {t(f'{page}.key_idea')}")
    else:
        st.markdown(t(f"{page}.idea"))


def radio(control: state.Control, label: str, prefix: str, into=st, **kwargs):
    """A declared control's options as a horizontal radio, each option named by the string
    `<prefix><value>` (e.g. prefix "captioning.source_" names "sample" by captioning.source_sample)."""
    return into.radio(
        label, control.options, key=control.key, horizontal=True, format_func=i18n.formatter(prefix), **kwargs
    )


def sample_picker(control: state.Control, n: int, label: str, rows: Sequence[int] | None = None) -> int:
    """The one way to choose a sample: a number box, and a dice button that steps through a fixed random
    order for the seed (state.pick_random), so a rehearsed talk shows the same samples. Returns the value.

    `rows` are the world rows of the positions 0..n-1: the picker then opens on the pinned sample
    (components/passport.py) where it has it, and a 📌 button pins the sample shown.
    """
    rows = None if rows is None else [int(r) for r in rows]
    pinned = passport.pinned_row()
    control.bind(high=n - 1, default=None if rows is None else passport.position_in(rows))
    pick, dice, *pin = st.columns([5, 2, 1] if rows else [4, 1], vertical_alignment="bottom")
    pick.number_input(label, **control.limits(high=n - 1))
    if pin:
        row = rows[control.value]
        here = row == pinned
        pin[0].button(
            "📌",
            key=f"{control.key}.pin",
            on_click=passport.pin,
            args=(None if here else row,),
            help=t("common.unpin" if here else "common.pin" if passport.can_pin(row) else "common.pin_test_only"),
            type="primary" if here else "secondary",
            disabled=not (here or passport.can_pin(row)),
            width="stretch",
        )
    dice.button(
        t("common.random_sample"),
        on_click=state.pick_random,
        args=(control, n, settings.current().seed),
        width="stretch",
        key=f"{control.key}.dice",
    )
    return control.value


def percent(value: float, digits: int = 1) -> str:
    """A share as a percentage; a share that could not be measured (NaN) as a dash."""
    return "—" if value != value else f"{value:.{digits}%}"


def table(header: Sequence[str], rows: Sequence[Sequence[object]], align: str = "", into=st) -> None:
    """Every page's tables, drawn into `into` (the page, or a column). `align` has l or r per column
    (numbers right); a cell's own | is escaped, so a typed caption cannot break the table.

    A markdown table rather than st.table, by measurement: in an AppTest run a 7-row table took 0.17 ms
    as markdown, 5.5 ms with st.table and 11.5 ms with st.table and right-aligned numbers (a pandas
    Styler), and a page redraws its tables on every rerun (fusion has three).
    """

    def line(cells: Sequence[object]) -> str:
        return "| " + " | ".join(str(cell).replace("|", "\\|") for cell in cells) + " |"

    rule = "|" + "|".join(" ---: " if a == "r" else " --- " for a in align.ljust(len(header), "l")) + "|"
    into.markdown("\n".join([line(header), rule, *map(line, rows)]))


def explain(key: str, **params) -> None:
    """Longer explanation text, left out in presenter mode where the speaker says it."""
    if not settings.current().presenting:
        st.markdown(t(key, **params))


def chart(
    fig: go.Figure | Sequence[go.Figure],
    summary: str | None = None,
    key: str | None = None,
    widths: Sequence[float] | None = None,
    wide: bool = False,
    on_select: Callable[[], None] | None = None,
) -> None:
    """A Plotly chart, enlarged when presenting, with its one-line text summary under it.

    A list of figures is one chart in panels (`figures.heatmap_row`, `figures.line_row`): side by side in
    columns of the given relative `widths`, which Streamlit stacks one under another on a phone.
    Each figure's title is written above it as text, not drawn by Plotly: Plotly never wraps a title, so
    a long one was cut at a phone's width or in presenter mode's large type. A `wide` chart (a diagram's
    boxes or a heatmap's cells that hold words) keeps a readable width on a phone and scrolls sideways:
    its words do not shrink with it. With `on_select`, clicking a point calls it (the chart's selection is
    then in st.session_state[key]).
    """
    panels = [fig] if isinstance(fig, go.Figure) else list(fig)
    heading = [p.layout.title.text for p in panels if p.layout.title and p.layout.title.text] + [summary]
    focus, token = st.session_state.get(_FOCUS) or (None, None)
    focused = settings.current().presenting and key is not None and key == focus
    with st.container(key="presenter_focus") if focused else nullcontext():
        if wide and key:
            places = [st.container(key=f"wide_{key}")]
        else:
            places = st.columns(widths or [1] * len(panels)) if len(panels) > 1 else [nullcontext()]
        for i, (place, panel) in enumerate(zip(places, panels)):
            with place:
                _plotly(
                    panel, key if i == 0 or key is None else f"{key}_{i}", len(panels), on_select if i == 0 else None
                )
        if summary:
            st.caption(summary)
        if key:
            _numbers_button(panels, heading, key)
    if focused and st.session_state.get(_SCROLLED) != token:
        st.session_state[_SCROLLED] = token
        st.html(_SCROLL_JS, unsafe_allow_javascript=True)  # a fixed script: no visitor text reaches it


def clicked(key: str) -> list[dict]:
    """The points a click selected on the chart drawn with `key` (its on_select state): each a dict with
    the point's x, y, point_index and customdata. Empty when the click cleared the selection."""
    event = st.session_state.get(key) or {}
    return list((event.get("selection") or {}).get("points") or [])


def clicked_cell(key: str) -> tuple[int, int] | None:
    """The (true, predicted) cell clicked in a clickable confusion matrix (`figures.confusion`), or None
    where the click cleared the selection or handed back something else."""
    for point in clicked(key):
        cell = point.get("customdata")
        if isinstance(cell, list) and len(cell) >= 2 and all(isinstance(v, (int, float)) for v in cell[:2]):
            return int(cell[0]), int(cell[1])
    return None


def _numbers_button(panels: list[go.Figure], heading: list[str | None], key: str) -> None:
    """The chart's numbers as a CSV file, headed by its titles and caption. Made only when clicked (a
    deferred download), so it costs a rerun nothing; and clicking it does not rerun the page."""
    st.download_button(
        t("common.download_numbers"),
        data=lambda: export.csv_text(panels, heading),
        file_name=f"{key}.csv",
        mime="text/csv",
        key=f"{key}_numbers",
        on_click="ignore",
        type="tertiary",
        icon=":material/download:",
    )


def _plotly(fig: go.Figure, key: str | None, row: int = 1, on_select: Callable[[], None] | None = None) -> None:
    """One figure (of a `row` of panels), its title above it as markdown, in presenter mode's larger
    type when presenting."""
    if settings.current().presenting:
        _enlarge(fig, row)
    title = fig.layout.title.text if fig.layout.title else None
    if title:
        fig.update_layout(title_text="", margin_t=min(fig.layout.margin.t or 10, 16))
        st.markdown(f"**{_plain(title)}**")
    # the chart's camera button saves it as a PNG at twice the screen's resolution, named after the chart
    image = {"format": "png", "scale": 2, "filename": key or "chart"}
    st.plotly_chart(
        fig,
        width="stretch",
        key=key,
        config={"displaylogo": False, "toImageButtonOptions": image},
        **({"on_select": on_select, "selection_mode": "points"} if on_select else {}),
    )


def _enlarge(fig: go.Figure, row: int = 1) -> None:
    """Presenter mode's type on every text of a chart. Streamlit's chart theme sets the axes' and the
    legend's own sizes, so a larger layout font reached only the colour bars: each is set here. Larger
    numbers written beside bars need more room on the right; long axis titles are wrapped, the more
    so for a panel in a row of `row`."""
    fig.update_layout(
        font_size=PRESENTER_FONT,
        legend_font_size=PRESENTER_FONT - 2,
        height=int((fig.layout.height or 320) * 1.3),
        margin_r=(fig.layout.margin.r or 10) + 24,
    )
    axis = {"tickfont_size": PRESENTER_FONT - 4, "title_font_size": PRESENTER_FONT - 2}
    fig.update_xaxes(**axis).update_yaxes(**axis)
    chars = max(12, PRESENTER_AXIS_CHARS // row)
    fig.for_each_xaxis(lambda axis: _wrap_axis_title(axis, chars)).for_each_yaxis(
        lambda axis: _wrap_axis_title(axis, chars)
    )


def _wrap_axis_title(axis, chars: int) -> None:
    """Plotly never wraps an axis title; in presenter type a long one ran past a half-width chart."""
    text = axis.title.text
    if text and len(text) > chars and "<br>" not in text:
        axis.title.text = "<br>".join(textwrap.wrap(text, chars, break_long_words=False))


def _plain(title: str) -> str:
    """A Plotly title as markdown text: its line breaks and bold tags dropped, markdown's own signs escaped."""
    text = re.sub(r"<br\s*/?>", " ", title)
    text = re.sub(r"</?b>", "", text)
    return re.sub(r"([\\`*_\[\]#<>|])", r"\\\1", text)


def steps(page: str, sequence: list[state.Step], into=st) -> None:
    """Presenter mode's guided tour: Previous / Next move the page's widgets to each step's state, drawn
    into `into` (the bar that stays at the top of the screen)."""
    step = state.step_control(page, len(sequence))
    step_key = step.key
    index = step.bind()
    entered = st.session_state.get(_SHOWN) != page
    st.session_state[_SHOWN] = page
    st.session_state[_FOCUS] = None
    if not settings.current().presenting or not sequence:
        return
    st.session_state[_FOCUS] = (sequence[index].focus, f"{page}:{index}")
    if sequence[index].choices:  # a question: its box, not a chart that shows the answer; again once revealed
        st.session_state[_FOCUS] = (predict.FOCUS, f"{page}:{index}:{predict.revealed(page, index)}")
    if entered and not state.link_sets(page) and not predict.waiting(page, sequence, index):
        # arriving by the navigation: the view the step's caption describes (a question still waits)
        state.apply_step_next_run(sequence, step_key, index)
    # the steps stay at the top of the screen while the page scrolls to each step's chart
    back, caption, forward = into.columns([1.3, 5, 1.3], vertical_alignment="center")
    back.button(
        t("common.previous"),
        key=f"{page}.step.back",
        disabled=index == 0,
        width="stretch",
        on_click=predict.go,
        args=(page, sequence, step_key, index - 1),
    )
    words = predict.caption(page, index, sequence[index])
    caption.markdown(f"**{t('common.step', n=index + 1, total=len(sequence))}** · {words}")
    # the last step, its question answered: the lecture deck's next view (when this page is the deck's view)
    last = index == len(sequence) - 1 and not predict.waiting(page, sequence, index)
    onward = deck.following(page) if last else None
    forward.button(
        t("common.next") if onward is None else t("deck.next"),
        key=f"{page}.step.next",
        disabled=index == len(sequence) - 1 and onward is None,
        width="stretch",
        on_click=predict.go if onward is None else deck.go,
        args=(page, sequence, step_key, index + 1) if onward is None else (onward,),
    )
    focus, token = st.session_state[_FOCUS]
    if focus == predict.FOCUS and st.session_state.get(_SCROLLED) != token:  # the box is drawn by the page
        st.session_state[_SCROLLED] = token
        st.html(_SCROLL_JS, unsafe_allow_javascript=True)


def step_buttons(page: str, sequence: list[state.Step]) -> None:
    """The presenter's steps as one-click examples for everyone else (`<page>.example_<n>` labels)."""
    if settings.current().presenting:
        return
    for i, (column, step) in enumerate(zip(st.columns(len(sequence)), sequence)):
        column.button(
            t(f"{page}.example_{i + 1}"),
            help=predict.caption(page, i, step),
            width="stretch",
            on_click=predict.go,
            args=(page, sequence, f"{page}.step", i),
            key=f"{page}.step.example_{i}",  # under the step's key, so a classroom lock greys them too
        )
