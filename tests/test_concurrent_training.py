"""Two visitors training at the same moment must not touch each other's network or the shared ones.

Both sessions run in this process, as two visitors of one server do, and share its model caches.
Each trains with different settings in its own thread; afterwards each session's weights must equal
a run trained alone with its settings, and the cached default networks must be bit-for-bit as before.
"""

import threading

import numpy as np
import torch

from components.cache import neural_networks as neural_networks_cache
from models.neural_networks import basics as nb

PAGE = "neural_networks"
EPOCHS = 3
SETTINGS = {"slow": {"lr": 0.01, "batch": 32}, "fast": {"lr": 0.3, "batch": 128}}


def key(name: str) -> str:
    return f"{PAGE}.{name}"


def snapshot(model: torch.nn.Module) -> dict[str, np.ndarray]:
    return {name: tensor.detach().numpy().copy() for name, tensor in model.state_dict().items()}


def trained_alone(settings: dict) -> dict[str, np.ndarray]:
    data = neural_networks_cache.data("shapes", 0)
    run = nb.start_run(data, len(nb.worlds.MAIN_CLASSES["shapes"]))
    for _ in range(EPOCHS):
        nb.train_epoch(run, data, settings["lr"], settings["batch"])
    return snapshot(run.model)


def test_two_sessions_training_at_once_stay_apart(app):
    sessions = {name: app(PAGE) for name in SETTINGS}
    shared = {kind: neural_networks_cache.model("shapes", 0, kind)[0] for kind in nb.KINDS}
    shared_before = {kind: snapshot(model) for kind, model in shared.items()}
    for name, at in sessions.items():
        at.select_slider(key=key("lr")).set_value(SETTINGS[name]["lr"])
        at.select_slider(key=key("batch")).set_value(SETTINGS[name]["batch"]).run()
        assert not at.exception

    start = threading.Barrier(len(sessions))
    failures = []

    def train(at) -> None:
        try:
            start.wait()
            for _ in range(EPOCHS):
                at.button(key=key("step_epoch")).click().run()
        except Exception as error:  # reported below: an exception in a thread would pass silently
            failures.append(error)

    threads = [threading.Thread(target=train, args=(at,)) for at in sessions.values()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not failures and not any(thread.is_alive() for thread in threads)

    runs = {}
    for name, at in sessions.items():
        assert not at.exception, at.exception
        run = at.session_state[key("run")][1]
        assert run.epoch == EPOCHS
        runs[name] = snapshot(run.model)
        for tensor_name, expected in trained_alone(SETTINGS[name]).items():
            np.testing.assert_array_equal(runs[name][tensor_name], expected, err_msg=f"{name}: {tensor_name}")
    assert any(not np.array_equal(runs["slow"][n], runs["fast"][n]) for n in runs["slow"])  # they did differ
    for kind, model in shared.items():
        assert neural_networks_cache.model("shapes", 0, kind)[0] is model  # still the one cached object...
        for tensor_name, before in shared_before[kind].items():  # ...with the weights it had
            np.testing.assert_array_equal(snapshot(model)[tensor_name], before, err_msg=f"{kind}: {tensor_name}")
