"""One import path for transformers' lazily loaded classes, safe when threads race (a fresh server's
warm-up thread and its first visitor's page did, and the page got an ImportError)."""

import subprocess
import sys

from conftest import ROOT

RACE = """
import sys, threading
sys.path.insert(0, '.')
from models.captioning import captioners as captioning
from models.core import imports
names = captioning.CAPTIONER_CLASSES + ("CLIPModel", "ASTForAudioClassification", "AutoTokenizer")
start, errors = threading.Barrier(4), []
def look(order):
    start.wait()
    try:
        for name in order:
            imports.transformers_classes(name)
    except Exception as error:
        errors.append(repr(error))
threads = [threading.Thread(target=look, args=(names[i:] + names[:i],)) for i in range(4)]
[t.start() for t in threads]; [t.join() for t in threads]
print(errors or "ok")
"""


def test_threads_that_look_up_transformers_classes_at_once_all_get_them():
    """Four threads, each in a fresh interpreter's first import of transformers, asking for classes in
    different orders at the same instant."""
    for _ in range(2):
        out = subprocess.run([sys.executable, "-c", RACE], cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert out.returncode == 0, out.stderr[-2000:]
        assert out.stdout.strip().endswith("ok"), out.stdout[-2000:]


def test_nothing_imports_transformers_around_the_lock():
    """The only `import transformers` / `from transformers import` of the app is in models/core/imports.py."""
    offenders = []
    for folder in ("models", "components", "lessons"):
        for path in (ROOT / folder).rglob("*.py"):
            for number, line in enumerate(path.read_text().splitlines(), 1):
                stripped = line.strip()
                if stripped.startswith(("import transformers", "from transformers")) and path.name != "imports.py":
                    offenders.append(f"{path.relative_to(ROOT)}:{number}")
    assert not offenders, offenders
