"""The code's style is checked, not argued about: `ruff format` and `ruff check` (ruff.toml) are clean."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def ruff(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ruff", *args], cwd=ROOT, capture_output=True, text=True, check=False)


def test_the_code_is_formatted():
    result = ruff("format", "--check", ".")
    assert result.returncode == 0, f"run `ruff format .`\n{result.stdout}{result.stderr}"


def test_the_linter_is_clean():
    result = ruff("check", "--output-format", "concise", ".")
    assert result.returncode == 0, f"{result.stdout}{result.stderr}"
