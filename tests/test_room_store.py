"""The room store: codes, one vote per voter and question, its caps and its expiry (no Streamlit)."""

import threading

from components.room_store import CODE_LENGTH, RoomStore, well_formed


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_room_takes_one_vote_per_voter_and_question():
    store = RoomStore()
    code = store.open()
    assert well_formed(code) and len(code) == CODE_LENGTH
    assert store.poll(code, "ann").question is None  # before the first question
    assert store.ask(code, "fusion.step_missing", ("early", "late"))
    assert store.vote(code, "fusion.step_missing", "ann", "late")
    assert not store.vote(code, "fusion.step_missing", "ann", "early")  # a second vote is not counted
    assert not store.vote(code, "fusion.step_missing", "bob", "never")  # not a choice
    assert not store.vote(code, "fusion.step_noise", "bob", "late")  # not the current question
    assert store.vote(code, "fusion.step_missing", "bob", "early")
    assert store.tally(code, "fusion.step_missing") == {"early": 1, "late": 1}
    assert store.poll(code, "ann").voted == "late" and store.poll(code, "cat").voted is None
    assert store.reveal(code, "fusion.step_missing", "late")
    assert store.poll(code, "cat").answer == "late"
    assert not store.vote(code, "fusion.step_missing", "cat", "late")  # voting closed with the reveal
    store.ask(code, "fusion.step_synergy", ("yes", "no"))  # the next question: everybody votes again
    assert store.vote(code, "fusion.step_synergy", "ann", "yes")
    store.ask(code, "fusion.step_missing", ("early", "late"))  # back to a question: its votes are kept
    assert store.tally(code, "fusion.step_missing") == {"early": 1, "late": 1}


def test_forged_and_malformed_codes_find_nothing():
    store = RoomStore()
    code = store.open()
    forged = "A" * CODE_LENGTH if code != "A" * CODE_LENGTH else "B" * CODE_LENGTH
    for bad in (forged, "", "abc", code.lower(), code + "A", "0" * CODE_LENGTH, "𝔸" * 6, "x" * 10_000):
        assert store.poll(bad, "ann") is None
        assert not store.ask(bad, "q", ("a", "b")) and not store.vote(bad, "q", "ann", "a")
        assert store.tally(bad, "q") is None and not store.is_open(bad)


def test_rooms_expire_hours_after_the_lecturer_last_touched_them():
    clock = Clock()
    store = RoomStore(lifetime_s=3600, clock=clock)
    old, kept = store.open(), store.open()
    store.ask(kept, "q", ("a", "b"))
    clock.now += 3000
    store.tally(kept, "q")  # the lecturer's histogram keeps the room open
    store.vote(old, "q", "ann", "a")  # students' votes do not
    clock.now += 1000
    assert not store.is_open(old) and store.is_open(kept) and len(store) == 1
    clock.now += 3601
    assert store.poll(kept, "ann") is None and len(store) == 0


def test_caps_on_rooms_questions_and_votes():
    store = RoomStore(max_rooms=3, max_questions=2, max_votes=5)
    codes = [store.open() for _ in range(3)]
    store.ask(codes[0], "q1", ("a", "b"))  # the first room is touched last, so it stays
    fourth = store.open()
    assert len(store) == 3 and store.is_open(codes[0]) and not store.is_open(codes[1]) and store.is_open(fourth)
    for q in ("q2", "q3"):
        store.ask(codes[0], q, ("a", "b"))
    assert store.tally(codes[0], "q1") is None and store.tally(codes[0], "q3") == {"a": 0, "b": 0}
    assert sum(store.vote(codes[0], "q3", f"voter{i}", "a") for i in range(20)) == 5


def test_many_threads_vote_at_once_and_each_voter_counts_once():
    store = RoomStore(max_votes=10_000)
    code = store.open()
    store.ask(code, "q", ("a", "b"))

    def crowd(start: int) -> None:
        for i in range(start, start + 200):
            store.vote(code, "q", f"v{i % 300}", "ab"[i % 2])

    threads = [threading.Thread(target=crowd, args=(k * 100,)) for k in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(store.tally(code, "q").values()) == 300
