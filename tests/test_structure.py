"""The layering DESIGN.md asks for, checked on the source: pages -> components -> models, no import
cycle inside components/ or models/ (lazy imports inside functions count too), no Streamlit under
models/, no private Streamlit API anywhere."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("components", "models")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """Every module `path` imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for layer in LAYERS for p in (ROOT / layer).rglob("*.py")}
    return {name: {m for m in imports(path) if m in modules and m != name} for name, path in modules.items()}


def test_no_import_cycle_in_components_or_models():
    edges, cycles = graph(), []
    state: dict[str, str] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = "open"
        for nxt in sorted(edges[node]):
            if state.get(nxt) == "open":
                cycles.append(
                    " -> ".join(trail[trail.index(nxt) :] + [node, nxt]) if nxt in trail else f"{node} -> {nxt}"
                )
            elif nxt not in state:
                visit(nxt, trail + [node])
        state[node] = "done"

    for node in sorted(edges):
        if node not in state:
            visit(node, [])
    assert not cycles, cycles


def test_models_never_import_streamlit_or_components():
    offenders = [
        f"{p.relative_to(ROOT)}: {m}"
        for p in (ROOT / "models").rglob("*.py")
        for m in imports(p)
        if m.split(".")[0] in ("streamlit", "components", "lessons")
    ]
    assert not offenders, offenders


def test_components_never_import_pages():
    offenders = [
        f"{p.relative_to(ROOT)}: {m}"
        for p in (ROOT / "components").rglob("*.py")
        for m in imports(p)
        if m.split(".")[0] == "lessons"
    ]
    assert not offenders, offenders


def test_no_private_streamlit_api():
    """Public Streamlit is `import streamlit as st` and `streamlit.testing`; anything deeper is internal.
    One exception: the load generator (bench/load.py) speaks the browser's wire protocol, whose messages
    are the protobufs in `streamlit.proto`."""
    offenders = []
    for folder in ("components", "lessons", "models", "bench", "scripts"):
        for path in (ROOT / folder).rglob("*.py"):
            public = (
                "streamlit.testing",
                "streamlit.components.v1",
                *(("streamlit.proto.",) if path.name == "load.py" else ()),
            )
            for m in imports(path):
                if m.startswith("streamlit.") and not m.startswith(public):
                    offenders.append(f"{path.relative_to(ROOT)}: {m}")
    for m in imports(ROOT / "app.py"):
        if m.startswith("streamlit."):
            offenders.append(f"app.py: {m}")
    assert not offenders, offenders


def test_a_lessons_code_is_found_by_its_pages_name():
    """Every page in lessons/ has its controls in components/controls/<page>.py; every other module there,
    in components/cache/ and under models/ (outside the shared core, the pretrained hub and the training
    command) carries a page's name, as a module or as a package, so `find -name '<page>*'` finds a lesson."""
    pages = {p.stem for p in (ROOT / "lessons").glob("*.py") if p.stem != "__init__"}
    missing = [page for page in sorted(pages) if not (ROOT / "components" / "controls" / f"{page}.py").exists()]
    assert not missing, f"pages without a controls file: {missing}"
    shared = {"__init__", "shared", "core", "weights", "hub", "train", "fetch_pretrained", "__pycache__"}
    strays = [
        str(p.relative_to(ROOT))
        for folder in ("components/cache", "components/controls", "models")
        for p in (ROOT / folder).iterdir()
        if (p.suffix == ".py" or p.is_dir()) and p.stem not in shared and p.stem not in pages
    ]
    assert not strays, f"named after no page: {strays}"
