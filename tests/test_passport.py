"""The follower's journey (DESIGN.md, journey 4): pin one test sample, move by the sidebar navigation, find
it first on every page that picks a sample, read its passport, and reopen all of it from the share link."""

import pytest
from streamlit.testing.v1 import AppTest

from components import i18n
from models.core import worlds

from conftest import APP, APP_TIMEOUT

WORLD = worlds.make_world("shapes", 0)
TEST = WORLD.indices("test")
ROW = int(TEST[5])  # a test sample that no page opens on by default


def clean(at) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not any("⟦" in m.value for m in at.markdown), "a raw string key"


def pinned_caption(at) -> bool:
    return any(c.value == WORLD.captions[ROW] for c in at.sidebar.caption)


def test_pin_on_home_and_find_it_first_on_every_page(app):
    at = app("home")
    at.number_input(key="home.sample").set_value(ROW).run()
    at.button(key="home.sample.pin").click().run()
    clean(at)
    assert at.session_state["pin"] == f"shapes-{ROW}" and pinned_caption(at)
    assert at.query_params["pin"] == [f"shapes-{ROW}"] or at.query_params["pin"] == f"shapes-{ROW}"

    visits = [
        ("unimodal", "unimodal.sample"),
        ("neural_networks", "neural_networks.sample"),
        ("fusion", "fusion.sample"),
        ("colearning", "colearning.sample"),
    ]
    for page, key in visits:
        at.switch_page(f"lessons/{page}.py").run()
        clean(at)
        assert pinned_caption(at), f"the pinned sample is in the sidebar on {page}"
        assert int(TEST[at.session_state[key]]) == ROW, f"{page} opens on the pinned sample"

    at.switch_page("lessons/passport.py").run()
    clean(at)
    assert int(TEST[at.session_state["passport.sample"]]) == ROW
    assert any(WORLD.captions[ROW] in m.value for m in at.markdown), "the passport shows the pinned sample"
    assert at.get("download_button"), "and can be downloaded"
    link = dict(at.query_params)

    fresh = AppTest.from_file(APP, default_timeout=APP_TIMEOUT)
    fresh.query_params.update(link)
    fresh.run()
    fresh.switch_page("lessons/passport.py").run()
    clean(fresh)
    assert fresh.session_state["pin"] == f"shapes-{ROW}" and pinned_caption(fresh)
    assert int(TEST[fresh.session_state["passport.sample"]]) == ROW, "the shared link keeps the pin"

    fresh.button(key="unpin").click().run()
    clean(fresh)
    assert fresh.session_state["pin"] == "" and not pinned_caption(fresh)


def test_only_test_samples_can_be_pinned(app):
    at = app("home")
    at.number_input(key="home.sample").set_value(int(WORLD.indices("train")[0])).run()
    assert at.button(key="home.sample.pin").disabled
    assert at.button(key="home.sample.pin").proto.help == i18n.translate("common.pin_test_only", "en")


@pytest.mark.parametrize(
    "pin", ["digits-3", f"shapes-{int(WORLD.indices('train')[0])}", "shapes-99999", "shapes-abc", "-", "x" * 400]
)
def test_a_pin_that_does_not_fit_is_ignored(pin):
    """Another world's sample, a training sample, a row out of range, garbage: no card, no error."""
    at = AppTest.from_file(APP, default_timeout=APP_TIMEOUT)
    at.query_params["pin"] = pin
    at.run()
    at.switch_page("lessons/passport.py").run()
    clean(at)
    assert not at.sidebar.caption or not any(c.value in WORLD.captions for c in at.sidebar.caption)


def test_the_passport_holds_the_captions_with_chair_the_pseudo_label_and_the_dtw_path(app):
    """The passport's other pages' parts for one sample, each computed by that page's own code: both
    captioners' captions (with the words that name what is not there, and CHAIR_i), the co-learning
    teacher's pseudo-label, and the DTW path of its spoken caption; a Digits sample says why the
    Shapes-only parts are missing."""
    import json

    from components.cache import captioning as captioning_cache
    from models.captioning import captioners as captioning

    at = app("passport", **{"passport.sample": 5})
    clean(at)
    found = captioning_cache.captions(WORLD.images[ROW], "greedy", 1, 1.0, captioning.DEFAULT_K, 0)
    table = next(m.value for m in at.markdown if m.value.startswith("|") and "CHAIR_i" in m.value)
    for caption in found.values():
        assert caption.text in table
    said = next(m.value for m in at.markdown if m.value.startswith("The co-learning page's teacher"))
    assert "**" in said and ("✓" in said or "✗" in said)
    [chart] = [c for c in at.get("plotly_chart") if c.proto.id.endswith("-passport_dtw")]
    assert any(trace.get("mode", "").startswith("lines") for trace in json.loads(chart.proto.spec)["data"])
    at.session_state["world"] = "digits"
    at.run()
    clean(at)
    assert any(c.value == i18n.translate("passport.shapes_only", "en") for c in at.caption)
