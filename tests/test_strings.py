"""Every string in the tables is used, and every string the code asks for exists.

Read from the source, not from a run: a key is "used" when some string literal in the code can
produce it. A plain literal names one key; an f-string's `{…}` stands for one name (no dots), so
`tp(f"strategy.{s}.name")` covers every `fusion.strategy.<s>.name`; a literal ending in `.` or `_` is a
prefix (a format_func's). A page's own files (lessons/<page>.py and its controls and cache modules)
name their strings without the page's section, as `i18n.scoped` reads them. An f-string that names
nothing but a section (`f"{PAGE}.{name}"`) covers nothing: it would make the test unable to fail.
"""

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from components import i18n
from models.core import worlds

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("app.py", "lessons", "components", "models")
ANY = r"\w+"
PREFIX = r"(?:\w+)"  # the same, marking a literal prefix rather than an f-string's unknown part
TRANSLATORS = ("t", "tp", "tr", "translate", "explain", "formatter")  # functions whose first argument is a key
SCOPED = ("tp", "tr")  # a page's own translators: their keys are named without the page's section


def page_of(path: Path) -> str | None:
    pages = {p.stem for p in (ROOT / "lessons").glob("*.py")}
    return path.stem if path.stem in pages and path.parent.name in ("lessons", "controls", "cache") else None


def pattern(node: ast.expr, page: str | None) -> str | None:
    """The regular expression of the keys a string literal can be, or None for a non-string."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = re.escape(node.value)
        if node.value.endswith((".", "_")):
            return text + PREFIX  # a format_func's prefix: the options it is given complete it
    elif isinstance(node, ast.JoinedStr):
        text = ""
        for part in node.values:
            if isinstance(part, ast.Constant):
                text += re.escape(part.value)
            elif isinstance(part.value, ast.Name) and part.value.id == "PAGE" and page:
                text += re.escape(page)
            else:
                text += ANY
    else:
        return None
    return text + PREFIX if text.endswith((r"\.", "_")) else text


def specific(regex: str) -> bool:
    """Whether a pattern names something beyond its section: a literal word after the first dot."""
    head, _, rest = regex.partition(r"\.")
    if regex.endswith(PREFIX) and ANY not in regex.removesuffix(PREFIX):
        return True
    return ANY not in regex or bool(re.search("[A-Za-z]", rest.replace(PREFIX, "").replace(ANY, "")))


def sources() -> Iterator[Path]:
    for name in SOURCES:
        yield from [ROOT / name] if name.endswith(".py") else sorted((ROOT / name).rglob("*.py"))


def literals() -> Iterator[tuple[Path, str | None, ast.expr, bool]]:
    """Every string literal in the code, with its file's page and whether it is a translator's key."""
    for path in sources():
        tree = ast.parse(path.read_text())
        keys, parts = set(), set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and node.args and called(node) in TRANSLATORS:
                first = node.args[0]
                scoped = called(node) in SCOPED
                keys |= {
                    (id(a), scoped) for a in ((first.body, first.orelse) if isinstance(first, ast.IfExp) else (first,))
                }
            elif isinstance(node, ast.JoinedStr):
                parts |= {id(a) for a in node.values if isinstance(a, ast.Constant)}
        for node in ast.walk(tree):
            if isinstance(node, (ast.Constant, ast.JoinedStr)) and id(node) not in parts:
                yield path, page_of(path), node, "scoped" if (id(node), True) in keys else (id(node), False) in keys


def called(call: ast.Call) -> str | None:
    return call.func.id if isinstance(call.func, ast.Name) else getattr(call.func, "attr", None)


def candidates(regex: str, page: str | None) -> list[re.Pattern]:
    found = [re.compile(regex)]
    if page:
        found.append(re.compile(re.escape(page) + r"\." + regex))
    return found


def test_every_string_in_the_tables_is_used():
    keys = set(i18n.table("en"))
    used: set[str] = set()
    for _, page, node, _ in literals():
        regex = pattern(node, page)
        if regex is None or not re.search("[A-Za-z]", regex.replace(ANY, "")):
            continue
        for compiled in candidates(regex, page):
            if specific(compiled.pattern):
                used |= {k for k in keys if compiled.fullmatch(k)}
    classes = [worlds.make_world(w, 0).classes for w in worlds.WORLD_NAMES]
    names = {value for c in classes for values in c.values() for value in values}
    used |= {k for k in keys if k.startswith("classes.") and k.removeprefix("classes.") in names}
    assert sorted(keys - used) == []


def test_every_string_the_code_asks_for_exists():
    keys = set(i18n.table("en"))
    missing = []
    for path, page, node, is_key in literals():
        regex = pattern(node, page) if is_key else None
        if regex is None or not re.search("[A-Za-z]", regex.replace(ANY, "")) or "{" in regex:
            continue
        options = candidates(regex, page)[1:] if is_key == "scoped" else candidates(regex, page)
        if not any(specific(c.pattern) for c in options):  # f"common.{m}": any key of a section would do
            missing.append(f"{path.relative_to(ROOT)}:{node.lineno}: {regex} names no key, only a section")
        elif not any(c.fullmatch(k) for c in options for k in keys):
            missing.append(f"{path.relative_to(ROOT)}:{node.lineno}: {regex}")
    assert missing == []


@pytest.mark.parametrize("language", ["zh-Hans"])
def test_every_language_has_the_same_keys(language):
    assert set(i18n.table(language)) == set(i18n.table("en"))
