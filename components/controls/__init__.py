"""Each page's controls, declared once: `components/controls/<page>.py` lists every control of the
page that goes into the URL (key, default, allowed values or range) as `state.Control`s, in a
`CONTROLS` tuple. The page's widgets, its guided steps, the permalinks and the tests all read them
from there; importing one runs no page and draws nothing.
"""

from __future__ import annotations

import importlib

from components import state


def of(page: str) -> tuple[state.Control, ...]:
    """Every control of `page`, its step control included (`n` steps are not known here: any index
    the page does not have is refused by the page's own narrower check)."""
    module = importlib.import_module(f"components.controls.{page}")
    return (*module.CONTROLS, state.Control(f"{page}.step", 0, low=0, step=1))
