"""The optional pretrained model source: loader, inference helpers and panel, with no network.

Tiny random-weight models of the allowlist's own classes (tests/tiny_pretrained.py) stand in for
the real ones, so every helper runs for real; their outputs are meaningless but must be well-formed.
"""

import shutil
import time
import types

import numpy as np
import pytest
import torch
from streamlit.testing.v1 import AppTest

from components import i18n
from components import pretrained as panel_module
from models import hub as pretrained

import tiny_pretrained
from conftest import PAGE_NAMES

IMAGE = np.random.default_rng(0).integers(0, 256, (48, 64, 3), dtype=np.uint8)
OTHER_IMAGE = np.random.default_rng(1).integers(0, 256, (40, 40, 3), dtype=np.uint8)


@pytest.fixture(scope="module")
def models(tiny_dir):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(pretrained.LOCAL_DIR_VARIABLE, str(tiny_dir))
        return {role: pretrained.load(role) for role in pretrained.ROLES}


# --- the allowlist and the loader ------------------------------------------------------------


def test_allowlist_names_real_classes_and_has_a_tiny_stand_in_per_role():
    import transformers

    assert set(tiny_pretrained.BUILDERS) == set(pretrained.ALLOWLIST)
    for spec in pretrained.ALLOWLIST.values():
        for name in (spec.model_class, spec.processor_class, spec.tokenizer_class):
            assert name is None or hasattr(transformers, name), name
    with pytest.raises(ValueError):
        pretrained.load("gpt2")  # a model id is not a role: nothing outside the allowlist loads


def test_every_reason_is_translated():
    for language in ("en", "zh-Hans"):
        table = i18n.table(language)
        for key in [f"reason.{r}" for r in pretrained.REASONS] + ["builtin", "pretrained"]:
            assert f"pretrained.{key}" in table, (language, key)


def test_tiny_models_load_with_measured_size(models, tiny_dir):
    for role, loaded in models.items():
        spec = pretrained.ALLOWLIST[role]
        assert type(loaded.model).__name__ == spec.model_class
        assert loaded.source == str(tiny_dir / role)
        assert loaded.parameters == sum(p.numel() for p in loaded.model.parameters()) > 1000
        assert loaded.megabytes >= loaded.parameters * 4 / 2**20  # float32
        assert loaded.seconds > 0 and not loaded.model.training
    assert models["captioning"].model.config.decoder._attn_implementation == "eager"


def test_offline_without_a_copy_is_unavailable_at_once(no_network):
    for role in pretrained.ROLES:
        start = time.perf_counter()
        with pytest.raises(pretrained.PretrainedUnavailable) as error:
            pretrained.load(role)
        assert error.value.reason_key == "offline"
        assert time.perf_counter() - start < 0.5


def test_offline_reads_the_hub_cache_from_disk(no_network, tiny_dir):
    """A model downloaded earlier (the Hub cache's layout: refs/main -> snapshots/<commit>/) loads offline."""
    commit = "0" * 40
    repo = no_network / ("models--" + pretrained.ALLOWLIST["sentiment"].model_id.replace("/", "--"))
    shutil.copytree(tiny_dir / "sentiment", repo / "snapshots" / commit)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commit)
    loaded = pretrained.load("sentiment")
    assert loaded.source == str(repo / "snapshots" / commit)


def test_a_failed_download_is_unavailable(monkeypatch, tmp_path, no_outside_network):
    """The real download code with every connection refused: retried, then a clear reason."""
    import huggingface_hub.constants
    import huggingface_hub.utils._http as http

    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "0")
    monkeypatch.delenv(pretrained.LOCAL_DIR_VARIABLE, raising=False)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path))
    monkeypatch.setattr(huggingface_hub.constants, "ENDPOINT", "http://127.0.0.1:9")
    monkeypatch.setattr(http, "time", types.SimpleNamespace(sleep=lambda seconds: None))  # skip the back-off
    with pytest.raises(pretrained.PretrainedUnavailable) as error:
        pretrained.load("sentiment")
    assert error.value.reason_key == "download_failed"
    assert set(no_outside_network) <= {"huggingface.co"}
    no_outside_network.clear()


@pytest.mark.parametrize(
    "failure, reason",
    [
        (MemoryError(), "memory"),
        (RuntimeError("DefaultCPUAllocator: can't allocate memory: you tried to allocate 1 GB"), "memory"),
        (ValueError("unrecognized configuration"), "load_failed"),
    ],
)
def test_load_failures_become_reasons(monkeypatch, tiny_dir, failure, reason):
    def fail(*args, **kwargs):
        raise failure

    monkeypatch.setenv(pretrained.LOCAL_DIR_VARIABLE, str(tiny_dir))
    monkeypatch.setattr(pretrained, "_load_parts", fail)
    with pytest.raises(pretrained.PretrainedUnavailable) as error:
        pretrained.load("audio")
    assert error.value.reason_key == reason


# --- inference helpers -----------------------------------------------------------------------


def test_zero_shot_is_a_distribution_that_follows_its_labels(models):
    clip = models["image_text"]
    labels = ["dog", "cat", "a red car", "猫 🐱", "very " * 100 + "long"]
    probabilities = pretrained.zero_shot(clip.model, clip.processor, IMAGE, labels)
    assert probabilities.shape == (5,) and np.all(probabilities >= 0)
    assert probabilities.sum() == pytest.approx(1.0, abs=1e-5)
    reordered = pretrained.zero_shot(clip.model, clip.processor, IMAGE, labels[::-1])
    np.testing.assert_allclose(reordered, probabilities[::-1], atol=1e-5)
    with pytest.raises(ValueError):
        pretrained.zero_shot(clip.model, clip.processor, IMAGE, [])


def test_similarity_matches_clips_own_forward_pass(models):
    clip = models["image_text"]
    texts = ["a photo of a dog", "cat", "x"]
    similarity = pretrained.image_text_similarity(clip.model, clip.processor, [IMAGE, OTHER_IMAGE], texts)
    assert similarity.shape == (2, 3) and np.all(np.abs(similarity) <= 1 + 1e-6)
    inputs = clip.processor(
        text=texts, images=[pretrained._pil(IMAGE), pretrained._pil(OTHER_IMAGE)], return_tensors="pt", padding=True
    )
    with torch.inference_mode():
        logits = clip.model(**inputs).logits_per_image / clip.model.logit_scale.exp()
    np.testing.assert_allclose(similarity, logits.numpy(), atol=1e-5)


def test_word_region_similarity_is_a_patch_grid(models):
    clip = models["image_text"]
    dog = pretrained.word_region_similarity(clip.model, clip.processor, IMAGE, "dog")
    side = tiny_pretrained.IMAGE_SIZE // tiny_pretrained.PATCH_SIZE
    assert dog.shape == (side, side) and np.all(np.abs(dog) <= 1 + 1e-6)
    assert not np.allclose(dog, pretrained.word_region_similarity(clip.model, clip.processor, IMAGE, "cat"))


def test_caption_words_probabilities_and_cross_attention_agree(models):
    cap = models["captioning"]
    result = pretrained.caption(cap.model, cap.processor, cap.tokenizer, IMAGE, num_beams=2, max_words=6)
    words = len(result.words)
    assert 1 <= words <= 6 and result.word_probabilities.shape == (words,)
    assert np.all((result.word_probabilities > 0) & (result.word_probabilities <= 1))
    grid = pretrained.patch_grid(cap.model)
    assert result.cross_attention.shape == (2, 4, words, grid[0] * grid[1])  # layers, heads, words, patches
    np.testing.assert_allclose(result.cross_attention.sum(axis=-1), 1.0, atol=1e-5)
    assert (
        result.text
        == cap.tokenizer.decode(cap.tokenizer.convert_tokens_to_ids(cap.tokenizer.tokenize(result.text))).strip()
    )  # the tokenizer's own spelling, not pieces with spaces


def test_caption_probabilities_are_the_decoders_own(models):
    """Greedy decoding: each word's probability is the softmax of generate()'s own score at that step."""
    cap = models["captioning"]
    result = pretrained.caption(cap.model, cap.processor, cap.tokenizer, IMAGE, num_beams=1, max_words=5)
    pixels = cap.processor(images=pretrained._pil(IMAGE), return_tensors="pt")["pixel_values"]
    with torch.inference_mode():
        out = cap.model.generate(
            pixel_values=pixels,
            num_beams=1,
            max_new_tokens=5,
            do_sample=False,
            output_scores=True,
            return_dict_in_generate=True,
        )
    expected = [torch.softmax(step[0], dim=-1)[token].item() for step, token in zip(out.scores, out.sequences[0, 1:])]
    np.testing.assert_allclose(result.word_probabilities, expected, atol=1e-5)


def test_caption_stops_at_the_end_token(models, monkeypatch):
    cap = models["captioning"]
    end = cap.model.config.eos_token_id
    monkeypatch.setattr(cap.model, "generate", lambda **kwargs: torch.tensor([[end, 70, 71, end, end]]))
    result = pretrained.caption(cap.model, cap.processor, cap.tokenizer, IMAGE)
    assert result.words == [cap.tokenizer.decode([70]).strip(), cap.tokenizer.decode([71]).strip()]
    assert result.cross_attention.shape[2] == 2


def test_classify_audio_resamples_and_ranks(models):
    ast = models["audio"]
    assert pretrained.resample(np.zeros(8000, np.float32), 8000, 16000).shape == (16000,)
    tone = np.sin(2 * np.pi * 440 * np.arange(22050) / 44100).astype(np.float32)  # 0.5 s at 44.1 kHz
    top = pretrained.classify_audio(ast.model, ast.processor, tone, 44100)
    assert len(top) == 5 and {label for label, _ in top} <= set(tiny_pretrained.AUDIO_LABELS)
    scores = [p for _, p in top]
    assert scores == sorted(scores, reverse=True) and all(0 <= p <= 1 for p in scores)
    for too_short in (np.zeros(0, np.float32), np.zeros(1, np.float32), np.zeros(100, np.float32)):
        assert len(pretrained.classify_audio(ast.model, ast.processor, too_short, 8000)) == 5
    exclusive = pretrained.classify_audio(ast.model, ast.processor, tone, 44100, top=7, multi_label=False)
    assert sum(p for _, p in exclusive) == pytest.approx(1.0, abs=1e-5)


def test_sentiment_is_a_distribution_for_any_text(models):
    bert = models["sentiment"]
    for text in ["a good movie", "好 🐶 ‮", "word " * 2000]:
        result = pretrained.sentiment(bert.model, bert.tokenizer, text)
        assert set(result) == {"NEGATIVE", "POSITIVE"}
        assert sum(result.values()) == pytest.approx(1.0, abs=1e-5)


# --- the cached loader and the panel ---------------------------------------------------------


def test_one_model_in_memory_at_a_time(monkeypatch, no_network, tiny_dir, fresh_cache):
    monkeypatch.setenv(pretrained.LOCAL_DIR_VARIABLE, str(tiny_dir))
    calls = []
    real_load = pretrained.load
    monkeypatch.setattr(pretrained, "load", lambda role: calls.append(role) or real_load(role))
    first = panel_module.load("sentiment")
    assert panel_module.load("sentiment") is first and calls == ["sentiment"]
    assert not any(p.requires_grad for p in first.model.parameters())
    panel_module.load("audio")
    panel_module.load("sentiment")
    assert calls == ["sentiment", "audio", "sentiment"]  # audio evicted sentiment before loading
    monkeypatch.setenv(pretrained.LOCAL_DIR_VARIABLE, str(tiny_dir / "nowhere"))
    with pytest.raises(pretrained.PretrainedUnavailable):
        panel_module.load("image_text")
    monkeypatch.setenv(pretrained.LOCAL_DIR_VARIABLE, str(tiny_dir))
    panel_module.load("sentiment")
    assert calls == ["sentiment", "audio", "sentiment"]  # a model that cannot load evicts nothing


def _page():
    import streamlit as st

    from components import pretrained

    loaded = pretrained.panel(st.session_state.get("role", "sentiment"))
    st.markdown("model: pretrained" if loaded else "model: built-in")


def _open(**session_state):
    at = AppTest.from_function(_page, default_timeout=60)
    for key, value in session_state.items():
        at.session_state[key] = value
    return at.run()


def test_builtin_mode_shows_nothing_and_loads_nothing(monkeypatch, no_network, fresh_cache):
    monkeypatch.setattr(pretrained, "load", lambda *args: pytest.fail("loaded in built-in mode"))
    for source in (None, "builtin"):
        at = _open(**({"model_source": source} if source else {}))
        assert not at.exception and not at.info and not at.warning and not at.caption
        assert at.markdown[0].value == "model: built-in"


@pytest.mark.parametrize("language", ["en", "zh-Hans"])
def test_panel_offline_says_why_and_falls_back(no_network, fresh_cache, language):
    at = _open(model_source="pretrained", role="image_text", lang=language)
    assert not at.exception
    expected = i18n.translate("pretrained.reason.offline", language, model=pretrained.ALLOWLIST["image_text"].model_id)
    assert expected in at.info[0].value and i18n.translate("pretrained.fallback", language) in at.info[0].value
    assert at.markdown[-1].value == "model: built-in" and not at.button


def test_panel_shows_size_and_load_time(monkeypatch, tiny_dir, fresh_cache):
    monkeypatch.setenv(pretrained.LOCAL_DIR_VARIABLE, str(tiny_dir))
    at = _open(model_source="pretrained", role="audio")
    first = at.caption[0].value
    assert pretrained.ALLOWLIST["audio"].model_id in first and "parameters" in first and "loaded in" in first
    at.run()  # from the cache now
    assert not at.exception and not at.warning and not at.info
    assert [c.value for c in at.caption] == [first] and at.markdown[-1].value == "model: pretrained"


def test_a_failure_is_remembered_until_try_again(monkeypatch, fresh_cache):
    calls = []

    def fail(role):
        calls.append(role)
        raise pretrained.PretrainedUnavailable("download_failed")

    monkeypatch.setattr(pretrained, "load", fail)
    at = _open(model_source="pretrained")
    assert (
        i18n.translate("pretrained.reason.download_failed", "en", model=pretrained.ALLOWLIST["sentiment"].model_id)
        in at.warning[0].value
    )
    at.run()
    assert calls == ["sentiment"]  # a rerun does not wait for the failing download again
    at.button(key="pretrained.retry.sentiment").click().run()
    assert calls == ["sentiment", "sentiment"] and not at.exception


FAKE = pretrained.Loaded("sentiment", "a folder", object(), None, None, 0, 0.0, 0.0)


def test_answers_are_keyed_by_the_whole_input(fresh_cache):
    """Streamlit's own hash samples arrays this large: two photos that differ in one corner pixel
    must still get their own answers."""

    def corner(model, image):
        return int(image[-1, -1, 0])

    photo = np.zeros((600, 600, 3), np.uint8)
    other = photo.copy()
    other[-1, -1, 0] = 7
    assert panel_module.answer(FAKE, corner, photo) == 0
    assert panel_module.answer(FAKE, corner, other) == 7
    calls = []

    def corner(model, image):  # noqa: F811 (the same name: the cache must answer without calling it)
        return calls.append(1)

    assert panel_module.answer(FAKE, corner, photo.copy()) == 0 and not calls  # the same input: cached


def test_running_out_of_memory_while_answering_is_said_not_raised(fresh_cache):
    def hungry(model, text):
        raise RuntimeError("DefaultCPUAllocator: can't allocate memory: you tried to allocate 8 GB")

    def broken(model, text):
        raise RuntimeError("a bug, not a lack of memory")

    assert panel_module.answer(FAKE, hungry, "some text") is None
    with pytest.raises(RuntimeError, match="a bug"):
        panel_module.answer(FAKE, broken, "some text")


@pytest.mark.parametrize("page", PAGE_NAMES)
def test_pretrained_mode_with_a_silent_network_says_so_at_once(app, page, monkeypatch, tmp_path, no_outside_network):
    """No offline setting and a network that never answers (a name lookup that hangs): the page says
    so at its top within 2 s, instead of ~25 s of the Hub client's retries per page."""
    import socket
    import time

    import huggingface_hub.constants

    at = app(page)  # the page's built-in models loaded first: what is timed is the switch alone
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "0")
    monkeypatch.delenv(pretrained.LOCAL_DIR_VARIABLE, raising=False)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path))

    def hanging_lookup(*args, **kwargs):  # a lookup that never answers in the page's time, then fails
        time.sleep(30)
        raise OSError("no network")

    monkeypatch.setattr(socket, "create_connection", hanging_lookup)
    monkeypatch.setattr(pretrained, "_PROBES", {})

    def no_download(spec, source):  # an Exception, not pytest.fail: the page's script thread records it
        raise RuntimeError(f"{page} tried to download {spec.model_id}")

    monkeypatch.setattr(pretrained, "_load_parts", no_download)
    start = time.perf_counter()
    at.radio(key="model_source").set_value("pretrained").run()
    seconds = time.perf_counter() - start
    assert not at.exception, [e.value for e in at.exception]
    notices = [i.value for i in at.info]
    expected = i18n.translate("pretrained.offline_top", "en", have=0, total=len(pretrained.ROLES))
    assert "⟦" not in expected and notices and notices[0] == expected, notices
    assert seconds < 2.0, f"{page}: {seconds:.2f} s"
    no_outside_network.clear()
