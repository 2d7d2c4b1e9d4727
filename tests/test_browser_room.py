"""Ask the room in Chromium against `streamlit run app.py`: the lecturer opens a room on a question
step, 20 students vote from the share box's link (one browser context each, opened one after another
and closed after voting, to stay light on two cores), the lecturer's histogram counts 20, a second
vote from one student is not counted, the reveal reaches a phone, the same link then shows the next
question, and a forged code gets a message.

Screenshots land in test-output/room_*.png.
"""

import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from components import i18n, state

from browser import PHONE, browser, no_exception, require_chromium, server, settle

OUT = Path(__file__).resolve().parent.parent / "test-output"
QUESTION = "fusion.step_missing"
STUDENTS = 20
BOX = ".st-key-presenter_focus"

require_chromium()


def en(key: str, **params) -> str:
    return i18n.translate(key, "en", **params)


def named(choice: str) -> str:
    """A choice of the question, as a phone shows it."""
    return en(state.choice_key(QUESTION, choice))


def room_link(page) -> str:
    page.locator('[data-testid="stSidebar"]').get_by_role("button", name=en("common.share")).click()
    link = page.locator('[data-testid="stPopoverBody"] code').first
    link.wait_for(timeout=30000)
    text = link.inner_text().strip()
    page.keyboard.press("Escape")
    return text


def test_twenty_phones_vote_once_each_and_see_the_answer():
    with server(env={"PLAYGROUND_WARMUP": "0"}) as (url, _, _), browser() as b:
        OUT.mkdir(exist_ok=True)
        lecturer = b.new_context(viewport={"width": 1280, "height": 800}).new_page()
        lecturer.goto(f"{url}/fusion?present=1")
        settle(lecturer)
        for _ in range(2):  # the third step asks which strategy survives losing the sound
            lecturer.get_by_role("button", name=en("common.next")).click()
            settle(lecturer)
        lecturer.get_by_role("button", name=en("room.open")).click()
        settle(lecturer)
        no_exception(lecturer)
        code = re.search(r"Room ([A-Z2-9]{6})", lecturer.locator(BOX).inner_text()).group(1)
        link = room_link(lecturer)
        assert parse_qs(urlparse(link).query) == {"room": [code], "lang": ["en"]}

        choices = ("late_average", "early", "intermediate")
        votes = {c: 0 for c in choices}
        first = None
        for n in range(STUDENTS):
            context = b.new_context(**PHONE)
            phone = context.new_page()
            phone.goto(link)
            phone.get_by_role("button", name=named(choices[n % 3])).wait_for(timeout=60000)
            no_exception(phone)
            phone.get_by_role("button", name=named(choices[n % 3])).click()
            phone.get_by_text(en("room.voted", choice=named(choices[n % 3])).replace("**", "")).wait_for()
            votes[choices[n % 3]] += 1
            if n == 0:  # the first student tries to vote again, for another strategy
                phone.get_by_role("button", name=named("tensor")).click()
                phone.get_by_text(en("room.once")).wait_for()
                phone.screenshot(path=OUT / "room_phone.png")
                first = phone
            else:
                context.close()

        total = en("room.votes", n=STUDENTS, code=code).replace("**", "")
        lecturer.locator(BOX).get_by_text(total).wait_for(timeout=20000)  # the histogram refreshes by itself
        bars = lecturer.locator(f'{BOX} [data-testid="stProgress"]').all_inner_texts()
        for c in (*choices, "tensor"):
            assert f"{named(c)} — {votes.get(c, 0)}" in [b.strip() for b in bars], bars
        lecturer.screenshot(path=OUT / "room_lecturer_votes.png")

        lecturer.get_by_role("button", name=en("predict.reveal")).click()
        settle(lecturer)
        no_exception(lecturer)
        box = lecturer.locator(BOX).inner_text()
        answer = next(c for c in ("early", "late_average", "intermediate", "tensor") if named(c) in box)
        said = en("predict.room_right", right=votes.get(answer, 0), n=STUDENTS).replace("**", "")
        assert said in box, (said, box)
        lecturer.screenshot(path=OUT / "room_lecturer_revealed.png")
        result = en("room.answer", answer=named(answer)).replace("**", "")
        first.get_by_text(result).wait_for(timeout=20000)  # the phone asks the store every 2 s

        lecturer.get_by_role("button", name=en("common.next")).click()  # the next question, same link
        settle(lecturer)
        first.get_by_text(en("fusion.ask.step_unique.q")).wait_for(timeout=20000)
        assert first.get_by_role("button", name=en("fusion.ask.step_unique.choice.above")).is_enabled()

        forged = b.new_context(**PHONE).new_page()
        forged.goto(f"{url}/?room={'Z' if code[0] != 'Z' else 'Y'}{code[1:]}")
        forged.locator('[data-testid="stAlert"]').wait_for(timeout=60000)
        no_exception(forged)
        assert "is not open on this server" in forged.locator('[data-testid="stAlert"]').inner_text()
