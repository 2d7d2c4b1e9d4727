"""Hosting: the Dockerfile read as text (no Docker daemon here), the build-time fetch of the pretrained
models, and the download size Pretrained mode states before it downloads. No test uses the network."""

import ast
import json
import re
import shlex
import subprocess
import sys
import types
from pathlib import PurePosixPath

import pytest
from streamlit.testing.v1 import AppTest

from components import i18n
from components import pretrained as panel_module
from models import fetch_pretrained
from models import hub as pretrained

from conftest import ROOT

CACHE_VARIABLES = ("XDG_CACHE_HOME", "NUMBA_CACHE_DIR", "HF_HOME", "HF_HUB_CACHE")


# --- the Dockerfile, parsed -------------------------------------------------------------------


class Instruction(types.SimpleNamespace):
    index: int
    name: str  # upper case: FROM, RUN, ENV…
    args: str  # the rest of the instruction, continuation lines joined


def instructions(text: str) -> list[Instruction]:
    """The Dockerfile's instructions in order: comments dropped, `\\` continuations joined."""
    lines, joined, pending = text.splitlines(), [], ""
    for line in lines:
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if pending and line.lstrip().startswith("#"):  # a comment inside a continuation is skipped
            continue
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        joined.append(pending + line)
        pending = ""
    assert not pending, "the Dockerfile ends inside a continued line"
    result = []
    for index, line in enumerate(joined):
        name, _, args = line.strip().partition(" ")
        result.append(Instruction(index=index, name=name.upper(), args=args.strip()))
    return result


def env_assignments(args: str) -> dict[str, str]:
    """`ENV A=1 B="two words"` (the key=value form; the legacy `ENV A 1` form is refused)."""
    pairs = {}
    for word in shlex.split(args):
        assert "=" in word, f"use ENV KEY=value, not the legacy form: {args!r}"
        key, _, value = word.partition("=")
        pairs[key] = value
    return pairs


@pytest.fixture(scope="module")
def dockerfile() -> list[Instruction]:
    return instructions((ROOT / "Dockerfile").read_text())


def env_at(steps: list[Instruction], index: int) -> dict[str, str]:
    """The ENV in force at instruction `index`, with `$VAR`/`${VAR}` in values expanded."""
    env: dict[str, str] = {}
    for step in steps[:index]:
        if step.name == "ENV":
            for key, value in env_assignments(step.args).items():
                env[key] = re.sub(r"\$\{?(\w+)\}?", lambda m: env.get(m.group(1), m.group(0)), value)
    return env


def final_env(steps: list[Instruction]) -> dict[str, str]:
    return env_at(steps, len(steps))


def last(steps: list[Instruction], name: str) -> Instruction:
    found = [s for s in steps if s.name == name]
    assert found, f"no {name} in the Dockerfile"
    return found[-1]


def runs(steps: list[Instruction], containing: str) -> list[Instruction]:
    return [s for s in steps if s.name == "RUN" and containing in s.args]


def user_uids(steps: list[Instruction]) -> dict[str, int]:
    """Users created by `useradd ... --uid N name` / `-u N name` in RUN steps."""
    uids = {}
    for step in steps:
        for command in re.split(r"&&|;", step.args) if step.name == "RUN" else ():
            words = shlex.split(command)
            if words and words[0] == "useradd":
                uid = next(int(words[i + 1]) for i, w in enumerate(words) if w in ("-u", "--uid"))
                uids[words[-1]] = uid
                assert {"-m", "--create-home"} & set(words), "the user needs a home (-m/--create-home)"
    return uids


def owned_dirs(steps: list[Instruction], user: str, before: int) -> set[str]:
    """Folders made and given to `user` as root before instruction `before`: `install -d -o user`
    or `mkdir -p ... && chown -R user`, with the ENV of that step expanded."""
    owned = set()
    for step in steps[:before]:
        if step.name != "RUN":
            continue
        env = env_at(steps, step.index)
        for command in step.args.split("&&"):
            words = [
                re.sub(r"\$\{?(\w+)\}?", lambda m, env=env: env.get(m.group(1), m.group(0)), w)
                for w in shlex.split(command)
            ]
            if words[:2] == ["install", "-d"] and {"-o", user} <= set(words):
                owned |= {w for w in words if w.startswith("/")}
            if words[:2] == ["chown", "-R"] and words[2].split(":")[0] in (user, "1000"):
                owned |= {w for w in words[3:] if w.startswith("/")}
    return owned


def under(path: str, folder: str) -> bool:
    return PurePosixPath(path) == PurePosixPath(folder) or PurePosixPath(folder) in PurePosixPath(path).parents


def test_the_app_runs_as_user_1000_with_a_home_of_its_own(dockerfile):
    user = last(dockerfile, "USER").args.split(":")[0]
    uids = user_uids(dockerfile)
    uid = int(user) if user.isdigit() else uids.get(user)
    assert uid == 1000, f"the final USER is {user!r} (uid {uid}); Spaces runs uid 1000"
    name = user if not user.isdigit() else next(n for n, u in uids.items() if u == 1000)
    home = final_env(dockerfile).get("HOME")
    assert home == f"/home/{name}", f"HOME must be the user's own home, not {home!r}"
    workdir = last(dockerfile, "WORKDIR").args.replace("$HOME", home)
    assert under(workdir, home), workdir
    assert not [s for s in dockerfile if s.name == "USER" and s.index > last(dockerfile, "USER").index]


def test_every_cache_is_set_and_the_user_owns_it(dockerfile):
    env = final_env(dockerfile)
    user_step = last(dockerfile, "USER")
    user = user_step.args.split(":")[0]
    home = env["HOME"]
    owned = owned_dirs(dockerfile, user, user_step.index)
    for variable in CACHE_VARIABLES:
        assert variable in env, f"{variable} is not set"
        assert under(env[variable], home), f"{variable}={env[variable]} is not under {home}"
        assert env[variable] in owned, f"{variable}={env[variable]} is not created for {user} before USER"
    assert under(env["HF_HUB_CACHE"], env["HF_HOME"])
    workdir = last(dockerfile, "WORKDIR").args.replace("$HOME", home)
    assert workdir in owned, "the app's folder must belong to the user (a page may save retrained weights)"
    assert env.get("NUMBA_CPU_NAME") == "generic", "a numba cache compiled for one CPU model is not reused on another"
    code = [p for folder in ("components", "lessons", "models") for p in (ROOT / folder).rglob("*.py")] + [
        ROOT / "app.py"
    ]
    if any(re.search(r"^\s*(import|from) matplotlib", p.read_text(), re.MULTILINE) for p in code):
        assert "MPLCONFIGDIR" in env and under(env["MPLCONFIGDIR"], home), "matplotlib is imported: set MPLCONFIGDIR"
    for step in dockerfile:
        if step.name in ("COPY", "ADD") and step.index > user_step.index:
            assert f"--chown={user}" in step.args, f"files copied after USER must be the user's: {step.args}"


def test_librosa_is_compiled_by_the_user_into_the_numba_cache(dockerfile):
    [warmup] = runs(dockerfile, "python -m models.core.jit")
    user_step = last(dockerfile, "USER")
    assert warmup.index > user_step.index, "compile as the user who runs the app, so its cache is theirs"
    copy_all = [s for s in dockerfile if s.name == "COPY" and s.args.split()[-2:] == [".", "."]]
    assert copy_all and copy_all[-1].index < warmup.index, "compile after the code is in the image"
    env = env_at(dockerfile, warmup.index)
    assert env["NUMBA_CACHE_DIR"] == final_env(dockerfile)["NUMBA_CACHE_DIR"]
    assert env.get("NUMBA_CPU_NAME") == final_env(dockerfile).get("NUMBA_CPU_NAME")


def test_pretrained_build_argument_gates_the_fetch_of_the_allowlist(dockerfile):
    [arg] = [s for s in dockerfile if s.name == "ARG" and s.args.split("=")[0] == "PRETRAINED"]
    assert arg.args == "PRETRAINED=0", "off unless asked for"
    [fetch] = runs(dockerfile, "models.fetch_pretrained")
    assert fetch.index > arg.index and fetch.index > last(dockerfile, "USER").index
    assert re.search(
        r'if \[ "\$PRETRAINED" = "1" \]; then HF_HUB_OFFLINE=0 python -m models\.fetch_pretrained; fi', fetch.args
    ), fetch.args
    env = env_at(dockerfile, fetch.index)
    assert env["HF_HOME"] == final_env(dockerfile)["HF_HOME"], "fetched where the app reads"
    assert env["HF_HUB_CACHE"] == final_env(dockerfile)["HF_HUB_CACHE"]
    assert final_env(dockerfile)["HF_HUB_OFFLINE"] == "1", "the app reads the baked models from disk, offline"
    assert env.get("HF_HUB_OFFLINE") == "1", "only the fetch itself may go online (inline HF_HUB_OFFLINE=0)"
    # the fetch runs before `COPY . .`: what it imports from the repo must be copied ahead of it
    copied = {
        PurePosixPath(a).as_posix()
        for s in dockerfile[: fetch.index]
        if s.name == "COPY"
        for a in s.args.split()
        if not a.startswith("--")
    }
    for module in repo_modules_imported_by("models.fetch_pretrained"):
        assert module in copied, f"{module} is imported by the fetch but not copied before it"


def repo_modules_imported_by(module: str) -> set[str]:
    """The repository's files that `python -m module` imports, transitively (absolute imports)."""
    seen: set[str] = set()
    todo = [module]
    while todo:
        name = todo.pop()
        path = ROOT / (name.replace(".", "/") + ".py")
        if not path.exists() or str(path.relative_to(ROOT)) in seen:
            continue
        seen.add(str(path.relative_to(ROOT)))
        package_init = path.parent / "__init__.py"
        if package_init.exists():
            seen.add(str(package_init.relative_to(ROOT)))
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                todo += [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                todo += [a.name for a in node.names]
    return seen


def test_serves_headless_on_port(dockerfile):
    cmd = last(dockerfile, "CMD").args
    command = " ".join(json.loads(cmd)) if cmd.startswith("[") else cmd
    assert re.search(r"streamlit run app\.py", command), command
    assert re.search(r"--server\.port[ =]\$\{?PORT\}?", command), "serve on $PORT (Spaces: app_port)"
    assert re.search(r"--server\.headless[ =]true", command)
    assert re.search(r"--server\.address[ =]0\.0\.0\.0", command), "reachable from outside the container"
    port = final_env(dockerfile)["PORT"]
    assert port.isdigit() and last(dockerfile, "EXPOSE").args.split("/")[0] == port
    assert "PORT" in last(dockerfile, "HEALTHCHECK").args
    readme = (ROOT / "README.md").read_text()
    assert f"app_port: {port}" in readme, "the README's Spaces header names the port the image serves on"


def test_torch_cpu_index_build_argument_is_kept(dockerfile):
    assert any(s.name == "ARG" and s.args.startswith("TORCH_INDEX_URL") for s in dockerfile)
    [install] = runs(dockerfile, "pip install -r")
    assert '--index-url "$TORCH_INDEX_URL"' in install.args and "torch==" in install.args
    pinned = re.search(r"^torch==(\S+)", (ROOT / "requirements.txt").read_text(), re.MULTILINE).group(1)
    assert f"torch=={pinned}" in install.args, "the CPU wheel must be the version requirements.txt pins"


def test_parser_reads_continuations_and_comments():
    steps = instructions('# c\nFROM x\nENV A=1 \\\n    # inside\n    B="two words"\nRUN a \\\n && b\n')
    assert [s.name for s in steps] == ["FROM", "ENV", "RUN"]
    assert env_assignments(steps[1].args) == {"A": "1", "B": "two words"}
    assert "a" in steps[2].args and "&& b" in steps[2].args


# --- the build-time fetch ---------------------------------------------------------------------


@pytest.fixture
def online_without_network(monkeypatch, tmp_path):
    """As if the Hub answered: not offline, an empty cache, and no real request possible (the
    conftest guard fails any connection; the size lookup is replaced)."""
    import huggingface_hub.constants

    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "0")
    monkeypatch.delenv(pretrained.LOCAL_DIR_VARIABLE, raising=False)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    monkeypatch.setattr(pretrained, "hub_reachable", lambda: True)
    monkeypatch.setattr(pretrained, "_SIZES", {})
    return tmp_path


def test_fetch_downloads_exactly_the_allowlisted_models(monkeypatch, online_without_network):
    """Through the app's own loader, down to `from_pretrained`: every allowlisted id once as a model,
    never remote code, and no other id."""
    sources, fetched = [], set()

    class FakePart:
        def __init__(self, name):
            self.name = name

        def from_pretrained(self, source, **kwargs):
            sources.append((self.name, source, kwargs.get("trust_remote_code")))
            return types.SimpleNamespace(eval=lambda: types.SimpleNamespace(parameters=list, buffers=list))

    monkeypatch.setattr(pretrained.imports, "transformers_classes", lambda *names: tuple(FakePart(n) for n in names))
    monkeypatch.setattr(pretrained, "_hub_file_sizes", lambda model_id: pytest.fail("asked the Hub"))
    monkeypatch.setattr(pretrained, "download_size", lambda role: pretrained.DownloadSize(1.0, False))
    real_download = fetch_pretrained.download
    monkeypatch.setattr(pretrained, "is_on_this_machine", lambda role: role in fetched)
    said = []

    def download(role):
        fetched.add(role)
        return real_download(role)

    assert fetch_pretrained.fetch(download, said.append) == []
    models = [
        (source, remote)
        for name, source, remote in sources
        if name in {spec.model_class for spec in pretrained.ALLOWLIST.values()}
    ]
    assert sorted(models) == sorted((spec.model_id, False) for spec in pretrained.ALLOWLIST.values())
    assert {source for _, source, _ in sources} == {spec.model_id for spec in pretrained.ALLOWLIST.values()}
    assert len(said) == len(pretrained.ROLES) and all("about" in line for line in said)


def test_fetch_says_which_model_failed(monkeypatch, online_without_network):
    monkeypatch.setattr(pretrained, "download_size", lambda role: pretrained.DownloadSize(605.2, True))
    monkeypatch.setattr(pretrained, "is_on_this_machine", lambda role: True)

    def download(role):
        if role == "audio":
            raise pretrained.PretrainedUnavailable("download_failed", "HTTP 500")
        return pretrained.ALLOWLIST[role].model_id

    said = []
    assert fetch_pretrained.fetch(download, said.append) == ["audio"]
    assert any("FAILED" in line and pretrained.ALLOWLIST["audio"].model_id in line for line in said)
    assert said[0] == f"{pretrained.ALLOWLIST['image_text'].model_id}: 605 MB"


def test_fetch_refuses_to_count_a_local_folder_as_fetched(monkeypatch, online_without_network):
    monkeypatch.setattr(pretrained, "download_size", lambda role: pretrained.DownloadSize(1.0, False))
    monkeypatch.setattr(pretrained, "is_on_this_machine", lambda role: True)
    assert fetch_pretrained.fetch(lambda role: "/somewhere/else", lambda line: None) == list(pretrained.ROLES)


def test_fetch_offline_fetches_nothing_and_fails(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    said = []
    assert fetch_pretrained.fetch(lambda role: pytest.fail("downloaded offline"), said.append) == list(pretrained.ROLES)
    assert "offline" in said[0]
    out = subprocess.run(
        [sys.executable, "-m", "models.fetch_pretrained"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1", "HOME": str(tmp_path)},
    )
    assert out.returncode == 1 and "nothing fetched" in out.stdout, out.stdout + out.stderr


# --- the download size ------------------------------------------------------------------------

CLIP_FILES = {  # the kind of listing a model repository has: several frameworks' copies of the weights
    "config.json": 4_519,
    "flax_model.msgpack": 605_000_000,
    "merges.txt": 524_619,
    "model.safetensors": 605_157_884,
    "preprocessor_config.json": 316,
    "pytorch_model.bin": 605_247_071,
    "special_tokens_map.json": 389,
    "tf_model.h5": 605_553_880,
    "tokenizer.json": 2_224_003,
    "tokenizer_config.json": 592,
    "vocab.json": 862_328,
    "README.md": 7_947,
    ".gitattributes": 1_477,
    "onnx/model.onnx": 600_000_000,
    "onnx/config.json": 10,
}


def test_size_counts_one_copy_of_the_weights_and_the_small_files():
    chosen = pretrained.files_to_download(CLIP_FILES)
    assert set(chosen) == {
        "model.safetensors",
        "config.json",
        "merges.txt",
        "preprocessor_config.json",
        "special_tokens_map.json",
        "tokenizer.json",
        "tokenizer_config.json",
        "vocab.json",
    }
    pickle_only = {k: v for k, v in CLIP_FILES.items() if k != "model.safetensors"}
    assert "pytorch_model.bin" in pretrained.files_to_download(pickle_only)
    assert "flax_model.msgpack" not in pretrained.files_to_download(pickle_only)
    sharded = {
        "config.json": 1,
        "model.safetensors.index.json": 2,
        "model-00001-of-00002.safetensors": 10,
        "model-00002-of-00002.safetensors": 20,
        "pytorch_model.bin": 30,
    }
    assert sum(pretrained.files_to_download(sharded).values()) == 33
    with pytest.raises(ValueError):
        pretrained.files_to_download({"config.json": 1, "tf_model.h5": 2})
    with pytest.raises(ValueError):
        pretrained.files_to_download({"config.json": None, "model.safetensors": 2})


def test_size_is_measured_from_the_hub_listing_with_a_short_timeout(monkeypatch):
    import huggingface_hub

    asked = []

    def model_info(self, repo_id, **kwargs):
        asked.append((repo_id, kwargs))
        siblings = [types.SimpleNamespace(rfilename=name, size=size) for name, size in CLIP_FILES.items()]
        return types.SimpleNamespace(siblings=siblings)

    monkeypatch.setattr(huggingface_hub.HfApi, "model_info", model_info)
    monkeypatch.setattr(pretrained, "_SIZES", {})
    size = pretrained.download_size("image_text")
    assert size.measured and size.megabytes == pytest.approx(
        sum(pretrained.files_to_download(CLIP_FILES).values()) / 1e6
    )
    assert 605 < size.megabytes < 610
    [(repo_id, kwargs)] = asked
    assert repo_id == pretrained.ALLOWLIST["image_text"].model_id
    assert kwargs["files_metadata"] is True and 0 < kwargs["timeout"] <= 3
    assert pretrained.download_size("image_text") == size and len(asked) == 1  # kept for the process


def test_size_falls_back_to_the_allowlist_figure_said_to_be_approximate(monkeypatch):
    calls = []

    def no_answer(model_id):
        calls.append(model_id)
        raise TimeoutError("the Hub did not answer in time")

    monkeypatch.setattr(pretrained, "_hub_file_sizes", no_answer)
    monkeypatch.setattr(pretrained, "_SIZES", {})
    for role, spec in pretrained.ALLOWLIST.items():
        assert pretrained.download_size(role) == pretrained.DownloadSize(float(spec.approx_download_mb), False)
    pretrained.download_size("audio")
    assert len(calls) == len(pretrained.ROLES)  # not asked again on every rerun


def test_on_this_machine_needs_the_weights_not_just_the_config(no_network, tiny_dir):
    commit = "1" * 40
    repo = no_network / ("models--" + pretrained.ALLOWLIST["sentiment"].model_id.replace("/", "--"))
    (repo / "snapshots" / commit).mkdir(parents=True)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commit)
    (repo / "snapshots" / commit / "config.json").write_text((tiny_dir / "sentiment" / "config.json").read_text())
    assert not pretrained.is_on_this_machine("sentiment")  # a download stopped after the config
    (repo / "snapshots" / commit / "model.safetensors").write_bytes(
        (tiny_dir / "sentiment" / "model.safetensors").read_bytes()
    )
    assert pretrained.is_on_this_machine("sentiment") and pretrained.on_this_machine() == ("sentiment",)


def _panel_page():
    import streamlit as st

    from components import pretrained

    loaded = pretrained.panel(st.session_state.get("role", "image_text"))
    st.markdown("model: pretrained" if loaded else "model: built-in")


def _notice_page():
    import streamlit as st

    from components import pretrained

    pretrained.download_notice(st.session_state.get("role", "image_text"))


def _open(page, **session_state):
    at = AppTest.from_function(page, default_timeout=60)
    for key, value in session_state.items():
        at.session_state[key] = value
    return at.run()


FAKE = pretrained.Loaded(
    "image_text",
    "openai/clip-vit-base-patch32",
    types.SimpleNamespace(parameters=list),
    None,
    None,
    151_277_313,
    577.1,
    93.2,
)


@pytest.mark.parametrize("language", ["en", "zh-Hans"])
def test_pretrained_mode_states_the_download_size_before_downloading(
    monkeypatch, online_without_network, fresh_cache, language
):
    events, shown = [], []
    monkeypatch.setattr(
        pretrained, "_hub_file_sizes", lambda model_id: {"model.safetensors": 605_157_884, "config.json": 4_519}
    )
    real_notice = panel_module.download_notice

    class Recorder:
        def __init__(self, where):
            self.where = where

        def info(self, text, **kwargs):
            shown.append(text)
            return self.where.info(text, **kwargs)

    def notice(role, where):
        events.append("size stated")
        real_notice(role, Recorder(where))

    def load(role):
        events.append("download")
        return FAKE

    monkeypatch.setattr(panel_module, "download_notice", notice)
    monkeypatch.setattr(pretrained, "load", load)
    at = _open(_panel_page, model_source="pretrained", role="image_text", lang=language)
    assert not at.exception, [e.value for e in at.exception]
    assert events == ["size stated", "download"]
    assert shown == [i18n.translate("pretrained.download_size", language, model=FAKE.source, megabytes="605")]
    assert not at.info, "the statement goes once the download is done"
    assert at.markdown[-1].value == "model: pretrained"


@pytest.mark.parametrize("language", ["en", "zh-Hans"])
def test_the_statement_says_measured_or_approximate(monkeypatch, online_without_network, language):
    model_id = pretrained.ALLOWLIST["captioning"].model_id
    monkeypatch.setattr(
        pretrained, "_hub_file_sizes", lambda model_id: {"pytorch_model.bin": 982_000_000, "vocab.json": 1_042_301}
    )
    at = _open(_notice_page, role="captioning", lang=language)
    assert at.info[0].value == i18n.translate("pretrained.download_size", language, model=model_id, megabytes="983")
    monkeypatch.setattr(pretrained, "_SIZES", {})
    monkeypatch.setattr(pretrained, "_hub_file_sizes", lambda model_id: (_ for _ in ()).throw(TimeoutError()))
    at = _open(_notice_page, role="captioning", lang=language)
    approximate = at.info[0].value
    assert approximate == i18n.translate("pretrained.download_size_approx", language, model=model_id, megabytes="982")
    assert ("about" if language == "en" else "约") in approximate and "⟦" not in approximate


def test_no_size_is_asked_for_a_model_on_this_machine_or_offline(monkeypatch, tiny_dir, fresh_cache, no_network):
    monkeypatch.setattr(pretrained, "download_size", lambda role: pytest.fail("asked for a download size"))
    at = _open(_panel_page, model_source="pretrained", role="image_text")  # offline, nothing on disk
    assert not at.exception and at.markdown[-1].value == "model: built-in"
    monkeypatch.setenv(pretrained.LOCAL_DIR_VARIABLE, str(tiny_dir))
    at = _open(_panel_page, model_source="pretrained", role="sentiment")  # on this machine
    assert not at.exception and at.markdown[-1].value == "model: pretrained" and not at.info
