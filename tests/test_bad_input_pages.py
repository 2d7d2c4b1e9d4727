"""Every case of the bad-input corpus (tests/badfiles.py) through every input of every page (issue #13).

tests/test_safe_input.py checks the gate itself; here each page must show the gate's message, never
a traceback, and keep working. Uploads go through AppTest's own `file_uploader` / `audio_input`
(real `UploadedFile`s with their name, size and file_id, and the widgets' on_change callbacks), not
a stand-in. One AppTest session per page input takes its cases one after another, ordered so that
every refused input is followed by a good one: each good case after a bad one is the check that the
page still works. `INPUTS` lists the inputs; `python -m pytest tests/test_bad_input_pages.py
--collect-only -q` lists one test per (page, input, case).
"""

from __future__ import annotations

import mimetypes
import string
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import chain, zip_longest

import pytest

from components import i18n
from components.i18n import table
from tests.badfiles import Case, audio_cases, image_cases, text_cases

CORPUS: dict[str, list[Case]] = {"image": image_cases(), "audio": audio_cases(), "text": text_cases()}
ALERTS = ("error", "warning", "info")
TEXTS = ("markdown", "caption", "info", "warning", "error", "success")


def _literal(key: str, language: str) -> str:
    """The longest fixed part of a message: what is on the page whatever its {placeholders} became."""
    template = table(language)[key]
    return max((text for text, *_ in string.Formatter().parse(template)), key=len)


def _says(at, key: str, language: str, kinds: tuple[str, ...] = TEXTS) -> bool:
    literal = _literal(key, language)
    return any(literal in str(element.value) for kind in kinds for element in at.get(kind))


def says(*keys: str) -> Callable:
    """The page shows one of these messages (used as "the page has a result for this input")."""
    return lambda at, language: any(_says(at, key, language) for key in keys)


def says_together(*keys: str) -> Callable:
    """One element shows all these messages (a table's column headers, say)."""
    return lambda at, language: any(
        all(_literal(key, language) in str(element.value) for key in keys) for kind in TEXTS for element in at.get(kind)
    )


def has_widget(kind: str, key: str) -> Callable:
    """The page draws this widget (used when a widget only appears once there is an input)."""
    return lambda at, language: any(getattr(widget, "key", None) == key for widget in at.get(kind))


@dataclass(frozen=True)
class Input:
    """One place where a page takes a visitor's file, recording or text."""

    page: str
    name: str  # as test ids show it
    corpus: str  # "image", "audio" or "text"
    widget: str  # "file_uploader", "audio_input", "text_input" or "text_area"
    key: str
    output: Callable = field(compare=False)  # (at, language) -> the page shows its result for an input
    state: tuple[tuple[str, object], ...] = ()  # session state that makes the input appear
    pretrained: bool = False  # Pretrained mode, with the tiny random-weight models of tests/tiny_pretrained.py
    refused_with: str = ""  # the page's own message (an st.info) where it skips a refused text itself

    @property
    def id(self) -> str:
        return f"{self.page}{'+pretrained' if self.pretrained else ''}-{self.name}"


def _sound(page: str, name: str, key: str, output: Callable, state: dict) -> list[Input]:
    """safe_input.audio_upload draws two inputs: a file and the microphone; each gets the whole corpus."""
    return [
        Input(page, f"{name}_file", "audio", "file_uploader", f"{key}.file", output, tuple(state.items())),
        Input(page, f"{name}_microphone", "audio", "audio_input", f"{key}.mic", output, tuple(state.items())),
    ]


def _pretrained(
    page: str, name: str, corpus: str, widget: str, key: str, output: Callable, state: dict, **options
) -> Input:
    return Input(page, name, corpus, widget, key, output, tuple(state.items()), pretrained=True, **options)


INPUTS: list[Input] = [
    *_sound(
        "spectrograms",
        "your_sound",
        "spectrograms.upload",
        says("spectrograms.sound_facts"),
        {"spectrograms.source": "upload"},
    ),
    Input(
        "unimodal",
        "image_upload",
        "image",
        "file_uploader",
        "unimodal.photo",
        says("unimodal.photo_loss"),
        (("unimodal.section", "image"), ("unimodal.image_source", "upload")),
    ),
    Input(
        "unimodal",
        "text",
        "text",
        "text_input",
        "unimodal.text",
        says("unimodal.words"),
        (("unimodal.section", "text"),),
    ),
    Input("teach", "photo_file", "image", "file_uploader", "teach.photo_upload", says("teach.photo_seen")),
    *_sound("teach", "sound", "teach.sound", says("teach.sound_seen"), {}),
    *_sound(
        "unimodal",
        "sound_upload",
        "unimodal.sound_upload",
        says("unimodal.one_second"),
        {"unimodal.section": "sound", "unimodal.sound_source": "upload"},
    ),
    Input(
        "captioning",
        "your_upload",
        "image",
        "file_uploader",
        "captioning.upload",
        says("captioning.truth_upload"),
        (("captioning.source", "upload"),),
    ),
    Input(
        "neural_networks",
        "upload",
        "image",
        "file_uploader",
        "neural_networks.upload",
        has_widget("selectbox", "neural_networks.upload_truth"),
        (("neural_networks.source", "upload"),),
    ),
    *_sound(
        "colearning",
        "own_sound",
        "colearning.upload",
        says("colearning.try_own"),
        {"colearning.own": True, "colearning.try_open": True},
    ),
    Input(
        "fusion",
        "caption",
        "text",
        "text_input",
        "fusion.caption",
        says_together("fusion.col_strategy", "fusion.col_says", "fusion.col_confidence"),  # the strategies' table
        (("fusion.modalities", "image+sound+text"),),
    ),
    Input(
        "alignment",
        "typed_text",
        "text",
        "text_input",
        "alignment.text",
        says("alignment.said"),
        (("alignment.view", "explicit"), ("alignment.source", "typed")),
    ),
    Input(
        "alignment",
        "word",
        "text",
        "text_input",
        "alignment.word",
        says("alignment.region_summary"),
        (("alignment.view", "implicit"),),
    ),
    Input(
        "representation",
        "caption_search",
        "text",
        "text_input",
        "representation.caption",
        says("representation.nearest_images", "representation.nothing_known"),
    ),
    # Pretrained mode: inputs of its own, and the built-in inputs again, now also read by a pretrained model
    _pretrained(
        "captioning",
        "photo_upload",
        "image",
        "file_uploader",
        "captioning.pre_photo.upload",
        says("captioning.pre_theirs", "captioning.pre_no_words"),
        {"captioning.pre_picture": "photo", "captioning.pre_photo": "upload"},
    ),
    _pretrained(
        "captioning",
        "your_upload",
        "image",
        "file_uploader",
        "captioning.upload",
        says("captioning.pre_theirs", "captioning.pre_no_words"),
        {"captioning.source": "upload", "captioning.pre_picture": "above"},
    ),
    _pretrained(
        "representation",
        "clip_upload",
        "image",
        "file_uploader",
        "representation.clip_upload",
        says("pretrained.photo_source.upload"),
        {},
    ),  # the upload's name in CLIP's matrix summary
    _pretrained(
        "representation",
        "clip_captions",
        "text",
        "text_area",
        "representation.clip_captions",
        says("representation.clip_matrix_summary"),
        {},
        refused_with="representation.clip_no_captions",
    ),
    _pretrained(
        "unimodal",
        "image_upload",
        "image",
        "file_uploader",
        "unimodal.photo",
        says("unimodal.zero_shot_summary"),
        {"unimodal.section": "image", "unimodal.image_source": "upload"},
    ),
    _pretrained(
        "unimodal",
        "zero_shot_labels",
        "text",
        "text_input",
        "unimodal.labels",
        says("unimodal.zero_shot_summary", "unimodal.labels_too_few"),
        {"unimodal.section": "image"},
    ),
    _pretrained(
        "unimodal",
        "text",
        "text",
        "text_input",
        "unimodal.text",
        says("unimodal.sentiment_summary"),
        {"unimodal.section": "text"},
    ),
    _pretrained(
        "unimodal",
        "sound_upload_file",
        "audio",
        "file_uploader",
        "unimodal.sound_upload.file",
        says("pretrained.audio.summary"),
        {"unimodal.section": "sound", "unimodal.sound_source": "upload"},
    ),
    _pretrained(
        "spectrograms",
        "your_sound_file",
        "audio",
        "file_uploader",
        "spectrograms.upload.file",
        says("pretrained.audio.summary"),
        {"spectrograms.source": "upload"},
    ),
]

# (page-input id, case name) -> what the page does instead of what the case expects, by design.
EXPECTED_HERE = {
    # follow() puts the sample's caption back into a box the visitor empties, so no refusal is due
    ("unimodal-text", "empty"): "ok",
    ("unimodal+pretrained-text", "empty"): "ok",
    ("unimodal+pretrained-zero_shot_labels", "empty"): "ok",
}

# (page-input id, case name) -> the page's own hint, shown instead of a result for this accepted input.
HINTS = {
    # only emoji are left of the cut text: no word to speak or to look for
    ("alignment-typed_text", "very_long_emoji"): "alignment.text_hint",
    ("alignment-word", "very_long_emoji"): "alignment.word_hint",
}

# (page-input id, case name) -> why it fails today; strict, so a fix turns the xfail into a failure to remove.
KNOWN_FAILURES: dict[tuple[str, str], str] = {}


def _refused(case: Case) -> bool:
    return case.expected.startswith("error:")


def _bad_then_good(cases: list[Case]) -> list[Case]:
    """Every refused case followed by an accepted one, so the page's recovery is checked after each."""
    bad = [case for case in cases if _refused(case)]
    good = [case for case in cases if not _refused(case)]
    return [case for case in chain.from_iterable(zip_longest(bad, good)) if case is not None]


def _in_chinese(cases: list[Case]) -> list[Case]:
    """One refusal and one notice, to see the messages in the visitor's language."""
    notice = next(case for case in cases if case.expected.startswith("notice:"))
    return [next(case for case in cases if _refused(case)), notice]


def _params():
    for spot in INPUTS:
        cases = [
            case._replace(expected=EXPECTED_HERE.get((spot.id, case.name), case.expected))
            for case in CORPUS[spot.corpus]
        ]
        runs = [(case, "en") for case in _bad_then_good(cases)] + [(case, "zh-Hans") for case in _in_chinese(cases)]
        for case, language in runs:
            reason = KNOWN_FAILURES.get((spot.id, case.name))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            suffix = "" if language == "en" else f"-{language}"
            yield pytest.param(spot, case, language, id=f"{spot.id}-{case.name}{suffix}", marks=marks)


_open: dict[Input, object] = {}  # the one live session: the current input's


@pytest.fixture(scope="module", autouse=True)
def _close_sessions():
    """No session and no pretrained model outlive this file."""
    yield
    from components import pretrained

    _open.clear()
    pretrained._cached.clear()
    pretrained._resident.clear()


def _session(app, spot: Input, request, monkeypatch):
    """The AppTest session of this page input, opened once and reused by all its cases."""
    if spot.pretrained:  # every case: a later run may load the model again
        from models import hub as pretrained

        monkeypatch.setenv(pretrained.LOCAL_DIR_VARIABLE, str(request.getfixturevalue("tiny_dir")))
    if spot not in _open:
        _open.clear()  # one page in memory at a time
        state = {"model_source": "pretrained"} if spot.pretrained else {}
        at = app(spot.page, **state, **dict(spot.state))
        assert not at.exception, f"{spot.id}: the page raised on opening: {at.exception[0].value}"
        assert any(getattr(w, "key", None) == spot.key for w in at.get(spot.widget)), (
            f"{spot.id}: no {spot.widget} with key {spot.key!r} after setting {dict(spot.state)}"
        )
        _open[spot] = at
    return _open[spot]


def _speak(at, language: str) -> None:
    """Switch the sidebar language, as a visitor does."""
    if at.session_state["lang"] != language:
        at.selectbox(key=i18n.LANGUAGE_KEY).set_value(language).run()


def _give(at, spot: Input, case: Case) -> None:
    """Enter the case as a visitor would: type it, upload it, or record it (a recording is always .wav)."""
    widget = next(w for w in at.get(spot.widget) if getattr(w, "key", None) == spot.key)
    if spot.widget in ("text_input", "text_area"):
        widget.input(case.data)
    elif spot.widget == "audio_input":
        name = case.name if case.name.endswith(".wav") else f"{case.name}.wav"
        widget.set_value((name, case.data, "audio/wav"))
    else:
        widget.set_value((case.name, case.data, mimetypes.guess_type(case.name)[0] or "application/octet-stream"))


def _alerts(at) -> str:
    return "; ".join(f"{kind}: {element.value}" for kind in ALERTS for element in at.get(kind))


@pytest.mark.filterwarnings("ignore")  # libraries warn about what they can still read of cut files
@pytest.mark.parametrize(("spot", "case", "language"), list(_params()))
def test_page_input_explains_every_bad_input_and_keeps_working(
    app, monkeypatch, request, spot: Input, case: Case, language: str
):
    at = _session(app, spot, request, monkeypatch)
    _speak(at, language)
    _give(at, spot, case)
    at.run()

    where = f"{spot.page} / {spot.name} / {case.name} ({language})"
    assert not at.exception, f"{where} raised:\n{at.exception[0].value}\n" + "\n".join(at.exception[0].stack_trace)
    kind, _, key = case.expected.partition(":")
    refusals = [k for k in table(language) if k.startswith("input.") and _says(at, k, language, ("error", "warning"))]
    if kind == "error" and spot.refused_with:
        shown = _says(at, spot.refused_with, language, ("info",))
        assert shown, f"{where}: no {spot.refused_with}; shown: {_alerts(at)}"
        assert not spot.output(at, language), f"{where}: refused, yet the page shows a result"
        return
    if kind == "error":
        assert _says(at, key, language, ("error", "warning")), f"{where}: no {key} message; shown: {_alerts(at)}"
        assert not spot.output(at, language), f"{where}: refused, yet the page shows a result"
        return
    assert not at.error and not refusals, f"{where}: a good input got {_alerts(at)}"
    if kind == "notice":
        assert _says(at, key, language, ("info",)), f"{where}: no {key} notice; shown: {_alerts(at)}"
    hint = HINTS.get((spot.id, case.name))
    if hint:
        assert _says(at, hint, language), f"{where}: no {hint} hint; shown: {_alerts(at)}"
    else:
        assert spot.output(at, language), f"{where}: the page shows no result for a good input; shown: {_alerts(at)}"
