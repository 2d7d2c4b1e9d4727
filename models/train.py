"""`python -m models.train`: retrain every registered default model and write models/weights/.

Every module under models/ that owns a default model registers it on import, so this imports them all
and trains each in turn, from fixed seeds, printing what it measured. Training runs on one thread, as
in the app: a different thread count sums floats in another order, and gives other weights.
"""

import importlib
import pkgutil
import sys
import time

import models
from models.core import checkpoints
from models.core.classifiers import one_thread


def discover() -> None:
    for module in pkgutil.walk_packages(models.__path__, "models."):
        if module.name not in ("models.train", "models.core.jit", "models.fetch_pretrained"):
            importlib.import_module(module.name)


@one_thread()
def main(names: list[str]) -> None:
    discover()
    chosen = names or sorted(checkpoints.REGISTRY)
    total = time.perf_counter()
    for name in chosen:
        start = time.perf_counter()
        _, meta = checkpoints.train_and_save(name)
        summary = ", ".join(f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}" for k, v in meta.items())
        print(f"{name:<24} {time.perf_counter() - start:6.1f} s  {summary}", flush=True)
    print(f"all {len(chosen)} models: {time.perf_counter() - total:.1f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
