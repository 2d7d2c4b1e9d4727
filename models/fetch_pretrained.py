"""Download the allowlisted pretrained models into the Hugging Face cache, for a server with no network.

    HF_HUB_OFFLINE=0 python -m models.fetch_pretrained

The Dockerfile runs it with `--build-arg PRETRAINED=1`, so the image carries the four models (about
2.2 GB) in `$HF_HOME` and Pretrained mode reads them from disk with `HF_HUB_OFFLINE=1`. Each model
is fetched the way the app fetches it: `models.hub.load(role)` for every role of the
allowlist and nothing else, so exactly the files the app needs land in the cache (one copy of the
weights, the configs, the vocabulary), and each is checked to load. Exits non-zero, naming the
model, if one cannot be fetched or would not be found offline afterwards.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

from models import hub


def download(role: str) -> str:
    """Fetch one role's files into the Hub's cache (by loading it once); returns where it was read from."""
    return hub.load(role).source


def fetch(download: Callable[[str], str] = download, say: Callable[[str], None] = print) -> list[str]:
    """Every allowlisted model, one after the other; returns the roles that failed (empty: all well)."""
    if hub.offline():
        say("fetch_pretrained: offline (HF_HUB_OFFLINE is set, or the Hub does not answer); nothing fetched")
        return list(hub.ROLES)
    failed = []
    for role, spec in hub.ALLOWLIST.items():
        size = hub.download_size(role)
        say(f"{spec.model_id}: {'' if size.measured else 'about '}{size.megabytes:,.0f} MB")
        try:
            source = download(role)
        except hub.PretrainedUnavailable as error:
            say(f"{spec.model_id}: FAILED ({error})")
            failed.append(role)
            continue
        if source != spec.model_id or not hub.is_on_this_machine(role):
            say(
                f"{spec.model_id}: FAILED (read from {source}, "
                f"not in the Hub's cache {os.environ.get('HF_HUB_CACHE', '')})"
            )
            failed.append(role)
    return failed


def main() -> int:
    os.environ.pop(hub.LOCAL_DIR_VARIABLE, None)  # fetch from the Hub, not from a local folder
    os.environ.setdefault("DISABLE_SAFETENSORS_CONVERSION", "1")  # never ask the Hub to open a conversion PR
    return 1 if fetch() else 0


if __name__ == "__main__":
    sys.exit(main())
