"""The votes of a lecture room, in this server's memory: no Streamlit, so it is tested on its own.

A lecturer opens a room and gets a short code; the room then holds one question at a time (the step
the lecturer is on) and each student session's one vote on it. Nothing personal is kept: a voter is a
random token of a browser session, and the store forgets a room a few hours after its lecturer last
touched it. Every part is capped (rooms, questions per room, votes per question), so a crowd or a
script can fill it only up to a known size; one lock makes it safe for Streamlit's session threads.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: a code read off a projector is typed right
CODE_LENGTH = 6
CODE = re.compile(f"[{ALPHABET}]{{{CODE_LENGTH}}}")
MAX_ROOMS = 50
MAX_QUESTIONS = 40  # per room; the oldest question's votes are dropped first
MAX_VOTES = 500  # per question
LIFETIME_S = 4 * 3600  # a room closes this long after its lecturer last asked, revealed or looked


@dataclass
class Question:
    """One question of a room: its id (the step it belongs to), the ids of its choices, the votes so
    far (voter token -> choice) and, once revealed, the answer."""

    id: str
    choices: tuple[str, ...]
    votes: dict[str, str] = field(default_factory=dict)
    answer: str | None = None

    def tally(self) -> dict[str, int]:
        counts = dict.fromkeys(self.choices, 0)
        for choice in self.votes.values():
            counts[choice] += 1
        return counts


@dataclass
class Room:
    questions: OrderedDict[str, Question] = field(default_factory=OrderedDict)
    current: str | None = None
    touched: float = 0.0


@dataclass(frozen=True)
class Poll:
    """What a student's phone shows: the current question (None before the first), its choices, this
    voter's vote and, once revealed, the answer."""

    question: str | None
    choices: tuple[str, ...]
    voted: str | None
    answer: str | None


def well_formed(code: str) -> bool:
    return isinstance(code, str) and CODE.fullmatch(code) is not None


class RoomStore:
    """Rooms by code. Methods that name an unknown or expired room return None or False: a stale link
    is an everyday event, not an error."""

    def __init__(
        self,
        max_rooms: int = MAX_ROOMS,
        max_questions: int = MAX_QUESTIONS,
        max_votes: int = MAX_VOTES,
        lifetime_s: float = LIFETIME_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_rooms, self.max_questions, self.max_votes = max_rooms, max_questions, max_votes
        self.lifetime_s, self.clock = lifetime_s, clock
        self._rooms: OrderedDict[str, Room] = OrderedDict()  # least recently touched first
        self._lock = threading.Lock()

    def open(self) -> str:
        """A new room's code. When the store is full, the room its lecturer touched longest ago closes."""
        with self._lock:
            self._expire()
            while len(self._rooms) >= self.max_rooms:
                self._rooms.popitem(last=False)
            code = self._new_code()
            self._rooms[code] = Room(touched=self.clock())
            return code

    def is_open(self, code: str) -> bool:
        with self._lock:
            return self._room(code) is not None

    def ask(self, code: str, question: str, choices: tuple[str, ...]) -> bool:
        """Make `question` the room's current one (asking it again keeps its votes)."""
        with self._lock:
            room = self._touch(code)
            if room is None:
                return False
            if question not in room.questions:
                while len(room.questions) >= self.max_questions:
                    room.questions.popitem(last=False)
                room.questions[question] = Question(question, tuple(choices))
            room.current = question
            return True

    def vote(self, code: str, question: str, voter: str, choice: str) -> bool:
        """Count one vote; False if the room or question is not current, the choice unknown, the voter
        has voted on this question already, the question was revealed or it is full."""
        with self._lock:
            room = self._room(code)
            if room is None or room.current != question:
                return False
            asked = room.questions[question]
            if (
                choice not in asked.choices
                or voter in asked.votes
                or asked.answer is not None
                or len(asked.votes) >= self.max_votes
            ):
                return False
            asked.votes[voter] = choice
            return True

    def reveal(self, code: str, question: str, answer: str) -> bool:
        """Close the voting on `question` and give its answer to the students' phones."""
        with self._lock:
            room = self._touch(code)
            if room is None or question not in room.questions:
                return False
            room.questions[question].answer = answer
            return True

    def tally(self, code: str, question: str) -> dict[str, int] | None:
        """Votes per choice, for the lecturer (who keeps the room open by looking)."""
        with self._lock:
            room = self._touch(code)
            if room is None or question not in room.questions:
                return None
            return room.questions[question].tally()

    def poll(self, code: str, voter: str) -> Poll | None:
        """The room as one student's phone shows it; None if there is no such open room."""
        with self._lock:
            room = self._room(code)
            if room is None:
                return None
            if room.current is None:
                return Poll(None, (), None, None)
            asked = room.questions[room.current]
            return Poll(asked.id, asked.choices, asked.votes.get(voter), asked.answer)

    def __len__(self) -> int:
        with self._lock:
            self._expire()
            return len(self._rooms)

    # ---------------------------------------------------------------- with the lock held
    def _new_code(self) -> str:
        while True:
            code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
            if code not in self._rooms:
                return code

    def _expire(self) -> None:
        limit = self.clock() - self.lifetime_s
        while self._rooms and next(iter(self._rooms.values())).touched < limit:
            self._rooms.popitem(last=False)

    def _room(self, code: str) -> Room | None:
        self._expire()
        return self._rooms.get(code) if well_formed(code) else None

    def _touch(self, code: str) -> Room | None:
        room = self._room(code)
        if room is not None:
            room.touched = self.clock()
            self._rooms.move_to_end(code)
        return room
