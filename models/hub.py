"""Optional pretrained models from the Hugging Face Hub: the allowlist, the loader, and inference.

The built-in models are trained on our small worlds; these are the classic demos on real photos,
sounds and sentences. Each role has exactly one model, named here and nowhere else: a page asks for
a role, never for a model id, and no model's own code is ever run (`trust_remote_code` stays off),
so only `transformers`' own, reviewed classes execute.

Where a role's files come from, in order:
1. `$PLAYGROUND_PRETRAINED_DIR/<role>/` when it holds a `config.json` (tests put tiny models there;
   a deployment can ship or pre-download the real ones there);
2. offline (`HF_HUB_OFFLINE=1`): the Hub's local cache, read from disk only; otherwise
   `PretrainedUnavailable("offline")` before any network code runs;
3. the Hub itself.
Anything that goes wrong while loading becomes `PretrainedUnavailable(reason_key)`: the page then
says why and keeps its built-in model.

Inference helpers are pure functions of (model, processor, input), so tests run each of them on
tiny random-weight models of the same classes (tests/tiny_pretrained.py).
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from models.core import imports

LOCAL_DIR_VARIABLE = "PLAYGROUND_PRETRAINED_DIR"


@dataclass(frozen=True)
class Spec:
    """One allowlisted model. Class names are resolved in `transformers` only when loading, because
    importing it costs ~3 s that a visitor in built-in mode should never pay. Parameter counts and
    download sizes are approximate, from the model cards: `load()` measures the real parameters, and
    `download_size()` the real download where the Hub lists its files' sizes (else it says "about"
    and uses `approx_download_mb`, decimal megabytes as the Hub writes them)."""

    model_id: str
    model_class: str
    processor_class: str | None
    tokenizer_class: str | None
    approx_parameters_m: float
    approx_download_mb: int
    eager_attention: bool = False  # attention weights are only returned by the eager implementation
    multi_label: bool = False  # labels are not exclusive: one sigmoid per label, not one softmax


ALLOWLIST: dict[str, Spec] = {
    "image_text": Spec("openai/clip-vit-base-patch32", "CLIPModel", "CLIPProcessor", None, 151, 605),
    "captioning": Spec(
        "nlpconnect/vit-gpt2-image-captioning",
        "VisionEncoderDecoderModel",
        "ViTImageProcessor",
        "GPT2Tokenizer",
        239,
        982,
        eager_attention=True,
    ),
    "audio": Spec(
        "MIT/ast-finetuned-audioset-10-10-0.4593",
        "ASTForAudioClassification",
        "ASTFeatureExtractor",
        None,
        87,
        346,
        multi_label=True,
    ),
    "sentiment": Spec(
        "distilbert/distilbert-base-uncased-finetuned-sst-2-english",
        "DistilBertForSequenceClassification",
        None,
        "DistilBertTokenizer",
        67,
        268,
    ),
}
ROLES = tuple(ALLOWLIST)
PROBE_SECONDS = 0.8  # how long the Hub's host has to answer before the app calls itself offline
PROBE_MEMORY = 60.0  # seconds a probe's answer is reused
_PROBES: dict[str, tuple[float, bool]] = {}  # host -> (when asked, whether it answered)
REASONS = ("offline", "download_failed", "memory", "load_failed")
SIZE_SECONDS = 2.0  # how long the Hub has to list a repository's files before an approximate size is said
_SIZES: dict[str, tuple[float, DownloadSize]] = {}  # role -> (when asked, the answer)
# The weights `from_pretrained` fetches, in the order transformers looks for them (modeling_utils's
# `_get_resolved_checkpoint_files` with use_safetensors=None): one file, else an index and its shards.
WEIGHTS = (
    ("model.safetensors", "model.safetensors.index.json", r"model-\d+-of-\d+\.safetensors"),
    ("pytorch_model.bin", "pytorch_model.bin.index.json", r"pytorch_model-\d+-of-\d+\.bin"),
)


class PretrainedUnavailable(Exception):
    """The role's model cannot be used now; `reason_key` is one of REASONS (a string-table key)."""

    def __init__(self, reason_key: str, detail: str = ""):
        super().__init__(f"{reason_key}: {detail}" if detail else reason_key)
        self.reason_key = reason_key
        self.detail = detail


@dataclass
class Loaded:
    role: str
    source: str  # the local folder or the Hub id it was read from
    model: Any
    processor: Any  # CLIPProcessor, ViTImageProcessor, ASTFeatureExtractor, or None
    tokenizer: Any  # GPT2Tokenizer, DistilBertTokenizer, or None
    parameters: int
    megabytes: float  # parameters and buffers in memory
    seconds: float  # download (if any) and load


def offline() -> bool:
    """Offline by setting (read at call time, not at import like huggingface_hub's constant, so a
    test can flip it), or because the Hub's host does not answer (`hub_reachable`)."""
    truthy = {"1", "on", "yes", "true"}
    told = any(
        os.environ.get(name, "").strip().lower() in truthy for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
    )
    return told or not hub_reachable()


def hub_reachable() -> bool:
    """Whether the Hub's host answers at all, decided within PROBE_SECONDS and remembered for a minute.

    Without it, a machine with no network spent ~25 s per page in the Hub client's retries before
    saying so. A refused connection counts as an answer (the network is there; the download will
    fail and say why); a name that does not resolve or a connection that hangs does not.
    """
    import socket
    import threading
    from urllib.parse import urlparse

    import huggingface_hub.constants

    endpoint = urlparse(huggingface_hub.constants.ENDPOINT)
    host, port = endpoint.hostname or "", endpoint.port or (443 if endpoint.scheme == "https" else 80)
    asked, answer = _PROBES.get(host, (-1e9, False))
    if time.monotonic() - asked < PROBE_MEMORY:
        return answer
    found: list[bool] = []

    def probe() -> None:
        try:
            socket.create_connection((host, port), timeout=PROBE_SECONDS).close()
            found.append(True)
        except ConnectionRefusedError:
            found.append(True)
        except OSError:
            found.append(False)

    thread = threading.Thread(target=probe, name="hub-probe", daemon=True)  # a name lookup can hang
    thread.start()
    thread.join(PROBE_SECONDS)
    _PROBES[host] = (time.monotonic(), bool(found and found[0]))
    return _PROBES[host][1]


def local_folder(role: str) -> Path | None:
    base = os.environ.get(LOCAL_DIR_VARIABLE)
    folder = Path(base) / role if base else None
    return folder if folder is not None and (folder / "config.json").is_file() else None


def location(role: str) -> str:
    """Where `load()` reads the role from; raises PretrainedUnavailable("offline") without touching
    the network when offline and nothing is on disk."""
    spec = ALLOWLIST[role]
    folder = local_folder(role)
    if folder is not None:
        return str(folder)
    if not offline():
        return spec.model_id
    from huggingface_hub import try_to_load_from_cache  # a file-system lookup, no HTTP

    cached = try_to_load_from_cache(spec.model_id, "config.json")
    if isinstance(cached, str):
        return str(Path(cached).parent)
    raise PretrainedUnavailable("offline", spec.model_id)


def on_this_machine() -> tuple[str, ...]:
    """The roles whose model can be loaded without the network (a local folder or the Hub's cache)."""
    return tuple(role for role in ROLES if is_on_this_machine(role))


def is_on_this_machine(role: str) -> bool:
    """Whether loading the role needs no download: a local folder, or the Hub's cache holding its
    config and weights (a download stopped half-way may have left the config alone)."""
    from huggingface_hub import try_to_load_from_cache  # a file-system lookup, no HTTP

    if local_folder(role) is not None:
        return True
    model_id = ALLOWLIST[role].model_id
    return all(
        any(isinstance(try_to_load_from_cache(model_id, name), str) for name in names)
        for names in (["config.json"], [name for single, index, _ in WEIGHTS for name in (single, index)])
    )


class DownloadSize(NamedTuple):
    megabytes: float  # decimal MB, as the Hub writes sizes
    measured: bool  # True: summed from the Hub's list of the files; False: the allowlist's approximate figure


def download_size(role: str) -> DownloadSize:
    """How much a first use of the role downloads, said before the download starts.

    The Hub's file list (one request, at most SIZE_SECONDS) gives the sizes of the very files
    `from_pretrained` fetches (`files_to_download`); if it does not answer, the allowlist's
    approximate figure, marked as such. A measured size is kept for the process; an approximate one
    for PROBE_MEMORY seconds, so a slow Hub is not asked again on every rerun. Call it only online.
    """
    asked, size = _SIZES.get(role, (-1e9, None))
    if size is not None and (size.measured or time.monotonic() - asked < PROBE_MEMORY):
        return size
    try:
        size = DownloadSize(sum(_hub_file_sizes(ALLOWLIST[role].model_id).values()) / 1e6, True)
    except Exception:  # no answer in time, an HTTP error, or a listing without sizes
        size = DownloadSize(float(ALLOWLIST[role].approx_download_mb), False)
    _SIZES[role] = (time.monotonic(), size)
    return size


def _hub_file_sizes(model_id: str) -> dict[str, int]:
    from huggingface_hub import HfApi

    info = HfApi().model_info(model_id, files_metadata=True, timeout=SIZE_SECONDS)
    return files_to_download({sibling.rfilename: sibling.size for sibling in info.siblings or ()})


def files_to_download(sizes: dict[str, int | None]) -> dict[str, int]:
    """Of a model repository's files (name -> bytes), those a first `from_pretrained` of the model,
    its processor and tokenizer fetches: one copy of the weights (safetensors, else PyTorch's
    pickle; either whole or as an index and its shards) and the small configuration and vocabulary
    files at the top level. Other frameworks' copies (TensorFlow, Flax, ONNX, Rust) are not fetched.
    Raises ValueError when there are no PyTorch weights or a size is missing."""
    top = {name: size for name, size in sizes.items() if "/" not in name}
    for single, index, shard in WEIGHTS:
        if single in top:
            weights = [single]
            break
        if index in top:
            weights = [index, *(name for name in top if re.fullmatch(shard, name))]
            break
    else:
        raise ValueError("no PyTorch weights in the repository")
    small = [name for name in top if name.endswith((".json", ".txt", ".model")) and not name.endswith(".index.json")]
    chosen = {name: top[name] for name in dict.fromkeys([*weights, *small])}
    if any(size is None for size in chosen.values()):
        raise ValueError("the Hub listed a file without its size")
    return chosen  # type: ignore[return-value]


def load(role: str) -> Loaded:
    """The role's model and its pre-processing, in eval mode, float32 on the CPU."""
    if role not in ALLOWLIST:
        raise ValueError(f"not an allowlisted role: {role!r}")
    source = location(role)
    start = time.perf_counter()
    try:
        model, processor, tokenizer = _load_parts(ALLOWLIST[role], source)
    except MemoryError as error:
        raise PretrainedUnavailable("memory", str(error)) from error
    except OSError as error:  # huggingface_hub's HTTP and missing-file errors are OSErrors
        raise PretrainedUnavailable("offline" if offline() else "download_failed", str(error)) from error
    except RuntimeError as error:
        reason = "memory" if "allocate memory" in str(error) else "load_failed"
        raise PretrainedUnavailable(reason, str(error)) from error
    except Exception as error:  # a broken or incompatible download: the built-in model still works
        raise PretrainedUnavailable("load_failed", f"{type(error).__name__}: {error}") from error
    tensors = [*model.parameters(), *model.buffers()]
    return Loaded(
        role=role,
        source=source,
        model=model,
        processor=processor,
        tokenizer=tokenizer,
        parameters=sum(p.numel() for p in model.parameters()),
        megabytes=sum(t.numel() * t.element_size() for t in tensors) / 2**20,
        seconds=time.perf_counter() - start,
    )


def _load_parts(spec: Spec, source: str) -> tuple[Any, Any, Any]:
    import torch

    def part(class_name: str | None):
        return imports.transformers_classes(class_name)[0].from_pretrained(source) if class_name else None

    extra = {"attn_implementation": "eager"} if spec.eager_attention else {}
    model = (
        imports.transformers_classes(spec.model_class)[0]
        .from_pretrained(source, dtype=torch.float32, trust_remote_code=False, **extra)
        .eval()
    )
    return model, part(spec.processor_class), part(spec.tokenizer_class)


# --- image and text: CLIP --------------------------------------------------------------------


def _pil(image_rgb_uint8: np.ndarray):
    from PIL import Image

    return Image.fromarray(np.ascontiguousarray(image_rgb_uint8, dtype=np.uint8), "RGB")


def _unit(vectors):
    return vectors / vectors.norm(dim=-1, keepdim=True).clamp_min(1e-12)


def _joint_tokens(model, processor, images: list[np.ndarray]):
    """(N, 1 + patches, D) unit vectors: every output token of the vision transformer through the
    final layer norm and the visual projection. Token 0, [CLS], is CLIP's image embedding."""
    import torch

    pixels = processor(images=[_pil(i) for i in images], return_tensors="pt")["pixel_values"]
    with torch.inference_mode():
        tokens = model.vision_model(pixel_values=pixels).last_hidden_state  # (N, 1 + patches, width)
        return _unit(model.visual_projection(model.vision_model.post_layernorm(tokens)))


def embed_images(model, processor, images: list[np.ndarray]) -> np.ndarray:
    """(N, D) unit vectors in CLIP's joint space."""
    return _joint_tokens(model, processor, images)[:, 0].numpy()


def embed_texts(model, processor, texts: list[str]) -> np.ndarray:
    """(M, D) unit vectors in CLIP's joint space: the end-of-text token through the text projection."""
    import torch

    tokens = processor(
        text=list(texts),
        return_tensors="pt",
        padding=True,
        truncation=True,
        max_length=model.config.text_config.max_position_embeddings,
    )
    with torch.inference_mode():
        pooled = model.text_model(input_ids=tokens["input_ids"], attention_mask=tokens["attention_mask"]).pooler_output
        return _unit(model.text_projection(pooled)).numpy()


def image_text_similarity(model, processor, images: list[np.ndarray], texts: list[str]) -> np.ndarray:
    """(N images, M texts) cosine similarities in [-1, 1]: the coordinated space, measured directly."""
    return embed_images(model, processor, images) @ embed_texts(model, processor, texts).T


def labels_from_text(text: str) -> list[str]:
    """Class names typed as one line for `zero_shot`: split at commas (Chinese ones too), trimmed,
    empty and repeated names dropped (a repeat would split its probability in two)."""
    labels: dict[str, str] = {}
    for part in re.split(r"[,，、;；]", text):
        name = " ".join(part.split())
        if name:
            labels.setdefault(name.casefold(), name)
    return list(labels.values())


def zero_shot(
    model, processor, image_rgb_uint8: np.ndarray, labels: list[str], template: str = "a photo of a {}."
) -> np.ndarray:
    """(len(labels),) probabilities summing to 1: a classifier made from typed class names, as CLIP
    was evaluated: each label becomes a caption, and a softmax over the image's similarities to the
    captions, scaled by the model's learned temperature, picks one."""
    import torch

    if not labels:
        raise ValueError("zero-shot classification needs at least one label")
    similarity = image_text_similarity(model, processor, [image_rgb_uint8], [template.format(w) for w in labels])[0]
    logits = torch.from_numpy(similarity) * model.logit_scale.exp().item()
    return torch.softmax(logits, dim=-1).numpy()


def word_region_similarity(
    model, processor, image_rgb_uint8: np.ndarray, word: str, template: str = "a photo of a {}."
) -> np.ndarray:
    """(grid_h, grid_w) cosine similarity between the word and each image patch.

    An approximation: CLIP is trained only on the [CLS] token's embedding; the patch tokens are
    sent through the same final layer norm and projection, which puts them near, not in, the joint
    space, so their similarity to a word is a coarse, noisy map of where the word is. Compare cells
    within one image, not values across images or words.
    """
    patches = _joint_tokens(model, processor, [image_rgb_uint8])[0, 1:].numpy()  # (patches, D)
    text = embed_texts(model, processor, [template.format(word)])[0]
    side = model.config.vision_config.image_size // model.config.vision_config.patch_size
    return (patches @ text).reshape(side, side)


# --- captioning: ViT encoder, GPT-2 decoder --------------------------------------------------


class Caption(NamedTuple):
    text: str  # the caption as the tokenizer writes it (sub-word pieces joined)
    words: list[str]  # the generated tokens, decoded one at a time
    word_probabilities: np.ndarray  # (words,) the model's probability of each token, given those before
    cross_attention: np.ndarray  # (layers, heads, words, patches), each row summing to 1


def patch_grid(model) -> tuple[int, int]:
    """The (rows, columns) of image patches the captioner's encoder reads."""
    side = model.config.encoder.image_size // model.config.encoder.patch_size
    return side, side


def caption(
    model, processor, tokenizer, image_rgb_uint8: np.ndarray, num_beams: int = 3, max_words: int = 16
) -> Caption:
    """A caption, how sure the decoder was of each word, and where it looked while writing it.

    Generation searches with beams; the chosen sentence is then read once more with teacher forcing,
    which gives each word's probability and the cross-attention of the step that produced it. The
    encoder's [CLS] token is dropped from the attention, and each row is renormalised over the
    patches, so the rows are maps over the image.
    """
    import torch

    pixels = processor(images=_pil(image_rgb_uint8), return_tensors="pt")["pixel_values"]
    end = model.generation_config.eos_token_id  # an id, a list of ids, or None
    end_ids = torch.tensor([end] if isinstance(end, int) else list(end or []), dtype=torch.long)
    with torch.inference_mode():
        sequence = model.generate(
            pixel_values=pixels, num_beams=num_beams, max_new_tokens=max_words, do_sample=False, early_stopping=True
        )[0]  # (start + words [+ end])
        targets = sequence[1:]
        is_end = torch.isin(targets, end_ids)
        if is_end.any():
            targets = targets[: int(is_end.nonzero()[0, 0])]  # up to, not including, the end
        out = model(pixel_values=pixels, decoder_input_ids=sequence[None, : len(targets) + 1], output_attentions=True)
    probabilities = torch.softmax(out.logits[0, : len(targets)], dim=-1)  # (words, vocab)
    attention = torch.stack(out.cross_attentions)[:, 0, :, : len(targets), 1:]  # (layers, heads, words, patches)
    attention = attention / attention.sum(dim=-1, keepdim=True).clamp_min(1e-12)
    words = [tokenizer.decode([int(i)]).strip() for i in targets]
    text = tokenizer.decode([int(i) for i in targets], skip_special_tokens=True).strip()
    return Caption(text, words, probabilities[torch.arange(len(targets)), targets].numpy(), attention.numpy())


def spotlight(image_rgb_uint8: np.ndarray, weights: np.ndarray, width: int = 448) -> np.ndarray:
    """The picture `width` pixels across, each patch dimmed by how little of `weights` (rows, cols) it
    got, the most-weighted at full brightness: where the model looked, drawn on the picture itself.

    The image processor stretches any picture to its square input, so the grid covers the whole
    picture, whatever its shape, and a cell is as wide and as tall as the picture divided by the grid.
    A small picture is enlarged without smoothing, so its pixels stay the ones the model was given.
    """
    from PIL import Image

    height, old_width = image_rgb_uint8.shape[:2]
    size = (width, max(1, round(height * width / old_width)))
    resample = Image.NEAREST if width >= old_width else Image.BOX
    big = np.asarray(_pil(image_rgb_uint8).resize(size, resample), dtype=np.float32)
    light = np.asarray(weights, dtype=np.float32) / max(float(np.max(weights)), 1e-9)
    rows, cols = light.shape
    light = light[np.arange(size[1]) * rows // size[1]][:, np.arange(size[0]) * cols // size[0]]
    light = (0.15 + 0.85 * light)[..., None]
    return np.clip(big * light + 20 * (1 - light), 0, 255).astype(np.uint8)


# --- audio: AST on AudioSet ------------------------------------------------------------------


def resample(waveform: np.ndarray, rate: int, target_rate: int) -> np.ndarray:
    """Polyphase resampling with a small up/down ratio (as components/safe_input.py does)."""
    if rate == target_rate:
        return waveform.astype(np.float32)
    from scipy.signal import resample_poly

    ratio = Fraction(target_rate, rate).limit_denominator(1000)
    return resample_poly(waveform, ratio.numerator, ratio.denominator).astype(np.float32)


class Filterbank(NamedTuple):
    values: np.ndarray  # (frames, mel bins): normalised log-mel energies, padded or cut to the model's length
    heard: int  # how many of the frames come from the sound; the rest is padding


def audio_filterbank(feature_extractor, waveform: np.ndarray, sr: int) -> Filterbank:
    """What AST reads, whatever the sound: resampled to the extractor's rate (16 kHz), 25 ms windows
    every 10 ms, `num_mel_bins` (128) log-mel bands normalised with AudioSet's mean and spread,
    padded or cut to `max_length` frames (1024, 10.24 s): the recipe it was trained with."""
    rate = feature_extractor.sampling_rate
    mono = resample(np.asarray(waveform, dtype=np.float32).reshape(-1), sr, rate)
    mono = np.pad(mono, (0, max(0, rate // 10 - len(mono))))  # the filterbank needs whole 25 ms frames
    values = feature_extractor(mono, sampling_rate=rate, return_tensors="np")["input_values"][0]
    window, hop = rate * 25 // 1000, rate // 100
    return Filterbank(values.astype(np.float32), min(len(values), 1 + (len(mono) - window) // hop))


def classify_audio(
    model, feature_extractor, waveform: np.ndarray, sr: int, top: int = 5, multi_label: bool = True
) -> list[tuple[str, float]]:
    """The `top` most likely labels of a mono waveform, best first. AudioSet's labels are not exclusive
    (a clip is both "Dog" and "Bark"), so each gets its own sigmoid probability and they need not
    sum to 1; a single-label model (multi_label=False) gets a softmax."""
    import torch

    features = torch.from_numpy(audio_filterbank(feature_extractor, waveform, sr).values)
    with torch.inference_mode():
        logits = model(input_values=features[None]).logits[0]  # (labels,)
    probabilities = torch.sigmoid(logits) if multi_label else torch.softmax(logits, dim=-1)
    best = torch.argsort(probabilities, descending=True)[:top]
    return [(model.config.id2label[int(i)], float(probabilities[i])) for i in best]


# --- text: DistilBERT on SST-2 ---------------------------------------------------------------


def sentiment(model, tokenizer, text: str) -> dict[str, float]:
    """{label: probability} for one sentence, e.g. {"NEGATIVE": 0.02, "POSITIVE": 0.98}."""
    import torch

    tokens = tokenizer(text, return_tensors="pt", truncation=True, max_length=model.config.max_position_embeddings)
    with torch.inference_mode():
        probabilities = torch.softmax(model(**tokens).logits[0], dim=-1)
    return {model.config.id2label[i]: float(p) for i, p in enumerate(probabilities)}


# --- image and text: CLIP's shared space, seen whole -------------------------------------------


def centre_square(image_rgb_uint8: np.ndarray) -> np.ndarray:
    """The part of a picture that CLIP reads: its processor scales the shorter side to the input size
    and crops the centre, so the patch grid of `word_region_similarity` covers this square, not the
    whole picture. Cropping first gives CLIP the same view and spares it scaling a thin strip (say
    10 x 40,000 pixels) to 224 pixels high before it crops: billions of pixels."""
    height, width = image_rgb_uint8.shape[:2]
    side = min(height, width)
    top, left = (height - side) // 2, (width - side) // 2
    return image_rgb_uint8[top : top + side, left : left + side]


class SharedSpace(NamedTuple):
    similarity: np.ndarray  # (images, texts) cosines
    probabilities: np.ndarray  # (images, texts) each image's softmax over the texts, at CLIP's learned temperature
    points: np.ndarray  # (images + texts, 2) PCA of all the unit vectors, images first
    within_images: float  # mean cosine of two different images (nan with fewer than two)
    within_texts: float  # mean cosine of two different texts (nan with fewer than two)
    separated: bool  # the first PCA axis puts every image on one side and every text on the other


def shared_space(model, processor, images: list[np.ndarray], texts: list[str]) -> SharedSpace:
    """Images and texts in CLIP's joint space, measured and drawn together.

    Besides the image x text cosines, it measures what a projection shows at a glance: whether the
    two modalities occupy separate regions (the "modality gap"). Matched pairs can be each other's
    nearest across the gap while two unrelated captions are still closer to each other than either
    is to any image: CLIP only ranks a picture's captions against each other, so it never needed to
    close the gap. `probabilities` is that ranking, as CLIP scored it in training.
    """
    import torch
    from sklearn.decomposition import PCA

    image_vectors, text_vectors = embed_images(model, processor, images), embed_texts(model, processor, texts)
    similarity = image_vectors @ text_vectors.T
    probabilities = torch.softmax(torch.from_numpy(similarity) * model.logit_scale.exp().item(), dim=-1).numpy()
    vectors = np.concatenate([image_vectors, text_vectors])
    points = np.zeros((len(vectors), 2), dtype=np.float32)  # two vectors have one PCA axis: the second stays 0
    points[:, : min(2, len(vectors) - 1)] = PCA(n_components=min(2, len(vectors) - 1)).fit_transform(vectors)
    first = points[:, 0]
    n = len(images)
    separated = bool(first[:n].max() < first[n:].min() or first[:n].min() > first[n:].max())
    return SharedSpace(
        similarity,
        probabilities,
        points,
        _mean_off_diagonal(image_vectors @ image_vectors.T),
        _mean_off_diagonal(text_vectors @ text_vectors.T),
        separated,
    )


def _mean_off_diagonal(gram: np.ndarray) -> float:
    off = ~np.eye(len(gram), dtype=bool)
    return float(gram[off].mean()) if off.any() else float("nan")
