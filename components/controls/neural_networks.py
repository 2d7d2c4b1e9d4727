"""The neural-network page's controls, by short name (see components/controls/__init__.py)."""

from components.state import Control
from models.neural_networks import basics as nb


def _control(name: str, default, **allowed) -> Control:
    return Control(f"neural_networks.{name}", default, **allowed)


CONTROL = {
    c.key.split(".", 1)[1]: c
    for c in (
        _control("weights", "trained", options=("trained", "run")),  # the shipped trained neurons, or the visitor's run
        _control("source", "test", options=("test", "upload")),
        _control("sample", 0, low=0, step=1),  # a test picture; the count depends on the world
        _control("lr", nb.LEARNING_RATE, options=(0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)),
        _control("batch", nb.BATCH_SIZE, options=(8, 16, 32, 64, 128, 256)),
        _control("l2", nb.L2, options=(0.0, 0.0001, 0.001, 0.01, 0.1)),
        _control("epochs", nb.EPOCHS, low=1, high=50, step=1),
        _control("layers", 1, low=0, high=3, step=1),
        _control("width", 8, options=(2, 4, 8, 16, 32)),
        _control("activation", "relu", options=nb.ACTIVATIONS),
        _control("task", nb.NONLINEAR_TASK["shapes"]),  # one of the world's attributes
    )
}
CONTROLS = tuple(CONTROL.values())
