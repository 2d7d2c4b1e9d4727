"""Translation from image to text: an example-based and a generative captioner, and how they fail.

Both learn from the same training pictures of the Shapes world, each paired with its caption in one
canonical form ("a small red circle on the left"), so that "exactly right" can be measured.
- Example-based: the training set *is* the model. Pictures are stored as short vectors (PCA of the
  pixels) next to their captions; a new picture gets the caption of its nearest stored picture, or
  one assembled slot by slot from the votes of its k nearest.
- Generative: an encoder-decoder transformer built from `transformers` classes (a tiny ViT reads the
  picture as 16 patches, a tiny GPT-2 writes one word at a time and looks back at the patches through
  cross-attention). After training it keeps no examples, only its weights.
Six colour-shape pairs never appear in training (captioning_scenes.HELD_OUT_PAIRS), so that what the
models do with an unseen combination can be measured.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import torch

from models.captioning.scenes import (
    SLOT_OF_WORD,
    SLOTS,
    Scene,
    StressSet,
    canonical_caption,
    split_indices,
    world_objects,
)
from models.core import checkpoints, classifiers, imports, worlds
from models.core.classifiers import Progress, one_thread

MODEL_NAME = "captioning_vit_gpt2"
TRAIN_SEED = 0
PATCH_SIZE = 8
PATCH_GRID = worlds.IMAGE_SIZE // PATCH_SIZE  # the image is read as PATCH_GRID x PATCH_GRID patches
WIDTH, HEADS, LAYERS = 64, 4, 2  # the same for the encoder and the decoder: no projection between them
EPOCHS, BATCH_SIZE, LEARNING_RATE = 30, 32, 3e-3
# the transformers classes of the generative captioner (warmed up in the background by components/warmup.py)
CAPTIONER_CLASSES = ("GPT2Config", "GPT2LMHeadModel", "ViTConfig", "ViTModel", "VisionEncoderDecoderModel")
MAX_WORDS = 10  # canonical captions have 7; the limit only stops a sampled caption that rambles
DECODINGS = ("greedy", "beam", "sampling")
CAPTIONERS = ("retrieval", "combination", "generative")
DEFAULT_K = 5  # neighbours asked by the combination captioner
EMBEDDING_DIMS = 32  # PCA components that describe a stored picture
SPECIALS = ("<pad>", "<bos>", "<eos>", "<unk>")
PAD, BOS, EOS, UNK = range(len(SPECIALS))


# ---------------------------------------------------------------- words
@dataclass(frozen=True)
class Vocabulary:
    """The decoder's dictionary: every word of the training captions, one token id each (specials first)."""

    words: tuple[str, ...]

    def encode(self, caption: str) -> list[int]:
        index = {w: i for i, w in enumerate(self.words)}
        return [index.get(w, UNK) for w in caption.split()] + [EOS]

    def decode(self, ids: Sequence[int]) -> list[str]:
        """The words up to <eos>; one word per id, so position i of the result is position i of `ids`."""
        ids = list(ids)
        return [self.words[i] for i in ids[: ids.index(EOS) if EOS in ids else len(ids)]]


def build_vocabulary(captions: Sequence[str]) -> Vocabulary:
    return Vocabulary(SPECIALS + tuple(sorted({w for c in captions for w in c.split()})))


@dataclass(frozen=True)
class Caption:
    """A caption and, for each word, how probable the captioner found it."""

    words: tuple[str, ...]
    probabilities: tuple[float, ...]

    @property
    def text(self) -> str:
        return " ".join(self.words)


# ---------------------------------------------------------------- the generative captioner
@dataclass(frozen=True)
class Generator:
    model: torch.nn.Module  # a transformers VisionEncoderDecoderModel
    vocabulary: Vocabulary
    meta: dict


def build_model(vocab_size: int) -> torch.nn.Module:
    """ViT encoder + GPT-2 decoder with cross-attention, from configs (no download), eager attention
    so that the attention weights can be returned."""
    GPT2Config, GPT2LMHeadModel, ViTConfig, ViTModel, VisionEncoderDecoderModel = imports.transformers_classes(
        *CAPTIONER_CLASSES
    )

    encoder = ViTModel(
        ViTConfig(
            image_size=worlds.IMAGE_SIZE,
            patch_size=PATCH_SIZE,
            hidden_size=WIDTH,
            num_hidden_layers=LAYERS,
            num_attention_heads=HEADS,
            intermediate_size=2 * WIDTH,
            attn_implementation="eager",
        ),
        add_pooling_layer=False,
    )
    decoder = GPT2LMHeadModel(
        GPT2Config(
            vocab_size=vocab_size,
            n_positions=MAX_WORDS + 2,
            n_embd=WIDTH,
            n_layer=LAYERS,
            n_head=HEADS,
            n_inner=2 * WIDTH,
            add_cross_attention=True,
            is_decoder=True,
            resid_pdrop=0.0,
            embd_pdrop=0.0,
            attn_pdrop=0.0,
            bos_token_id=BOS,
            eos_token_id=EOS,
            pad_token_id=PAD,
            attn_implementation="eager",
        )
    )
    model = VisionEncoderDecoderModel(encoder=encoder, decoder=decoder)
    model.set_attn_implementation("eager")
    model.config.decoder_start_token_id, model.config.pad_token_id, model.config.eos_token_id = BOS, PAD, EOS
    model.generation_config.update(
        decoder_start_token_id=BOS,
        bos_token_id=BOS,
        eos_token_id=EOS,
        pad_token_id=PAD,
        max_new_tokens=MAX_WORDS + 1,
        suppress_tokens=[PAD, BOS, UNK],
    )  # only words or <eos>
    return model


def pixel_tensor(images: np.ndarray) -> torch.Tensor:
    """(N, H, W, 3) uint8 -> (N, 3, H, W) in [-1, 1], what the ViT reads (a copy: shared pictures are read-only)."""
    return torch.tensor(images).permute(0, 3, 1, 2).float() / 127.5 - 1.0


def training_pairs(world: worlds.World, split: str) -> tuple[np.ndarray, list[str]]:
    """The samples of a split that training may see (no held-out pair) and their canonical captions."""
    indices = split_indices(world, split)
    return indices, [canonical_caption(scene[0]) for scene in world_objects(world, indices)]


def _fit(model: torch.nn.Module, pixels: torch.Tensor, targets: torch.Tensor, progress: Progress) -> None:
    """AdamW with a one-cycle learning rate on each next word's cross-entropy (the decoder reads the
    caption shifted right by one, so it always predicts the word it has not seen yet)."""
    optimiser = torch.optim.AdamW(model.parameters(), lr=LEARNING_RATE, weight_decay=0.01)
    steps = EPOCHS * -(-len(targets) // BATCH_SIZE)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, LEARNING_RATE, total_steps=steps, pct_start=0.1)
    model.train()
    for epoch in range(EPOCHS):
        total = 0.0
        for batch in torch.randperm(len(targets), generator=torch.Generator().manual_seed(epoch)).split(BATCH_SIZE):
            loss = model(pixel_values=pixels[batch], labels=targets[batch]).loss
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
            total += loss.item() * len(batch)
        progress((epoch + 1) / EPOCHS, f"epoch {epoch + 1}/{EPOCHS}: loss {total / len(targets):.4f}")
    model.eval()


def _train_generator(progress: Progress) -> checkpoints.Trained:
    world = worlds.make_world("shapes", TRAIN_SEED)
    indices, captions = training_pairs(world, "train")
    vocabulary = build_vocabulary(captions)
    targets = torch.tensor([vocabulary.encode(c) for c in captions])  # (N, 8): every canonical caption has 7 words
    torch.manual_seed(TRAIN_SEED)
    model = build_model(len(vocabulary.words))
    start = time.perf_counter()
    with one_thread():
        _fit(model, pixel_tensor(world.images[indices]), targets, progress)
    seconds = time.perf_counter() - start
    generator = Generator(model, vocabulary, {})
    test, held = split_indices(world, "test"), split_indices(world, "test", held_out=True)
    meta = {
        "test_exact_match": exact_match(generate(generator, world.images[test]), world_objects(world, test)),
        "held_out_exact_match": exact_match(generate(generator, world.images[held]), world_objects(world, held)),
        "train_seconds": seconds,
        "parameters": sum(p.numel() for p in model.parameters()),
        "vocabulary": " ".join(vocabulary.words),
    }
    return model.state_dict(), meta


checkpoints.register(MODEL_NAME, "1", _train_generator)


def load_generator(progress: Progress = classifiers._quiet) -> Generator:
    """The trained default captioner (from disk, or trained now), ready for inference."""
    state, meta = checkpoints.load(MODEL_NAME, progress)
    vocabulary = Vocabulary(tuple(str(meta["vocabulary"]).split()))
    model = build_model(len(vocabulary.words))
    model.load_state_dict(state)
    model.eval()
    return Generator(model, vocabulary, dict(meta))


def _generate_ids(
    generator: Generator, pixels: torch.Tensor, method: str, beams: int, temperature: float, seed: int
) -> torch.Tensor:
    """(B, 1 + T) token ids starting with <bos>, padded after <eos>, decoded the way `method` says."""
    options = {
        "greedy": {"do_sample": False, "num_beams": 1},
        "beam": {"do_sample": False, "num_beams": beams, "early_stopping": True},
        "sampling": {"do_sample": True, "num_beams": 1, "temperature": temperature, "top_k": 0, "top_p": 1.0},
    }[method]
    with torch.random.fork_rng(devices=[]):  # sampling is repeatable and leaves everyone else's randomness alone
        torch.manual_seed(seed)
        return generator.model.generate(pixel_values=pixels, **options)


def _read_back(generator: Generator, pixels: torch.Tensor, ids: torch.Tensor, attention: bool):
    """Teacher-forced pass over the decoded words: each word's probability under the model (temperature 1,
    whatever the decoding was) and, optionally, the cross-attention that produced it.

    Returns probabilities (B, T) and cross-attention (layers, B, heads, T, 1 + patches) or None.
    """
    words = ids[:, :-1]
    out = generator.model(
        pixel_values=pixels,
        decoder_input_ids=words,
        decoder_attention_mask=(words != PAD).long(),
        output_attentions=attention,
    )
    probabilities = torch.softmax(out.logits, -1).gather(-1, ids[:, 1:, None])[..., 0]
    return probabilities, torch.stack(out.cross_attentions) if attention else None


def generate(
    generator: Generator,
    images: np.ndarray,
    method: str = "greedy",
    beams: int = 3,
    temperature: float = 1.0,
    seed: int = 0,
    batch_size: int = 512,
) -> list[Caption]:
    """Caption (N, H, W, 3) pictures with the decoder; each word comes with its probability."""
    captions = []
    with torch.no_grad(), one_thread():
        for start in range(0, len(images), batch_size):
            pixels = pixel_tensor(images[start : start + batch_size])
            ids = _generate_ids(generator, pixels, method, beams, temperature, seed)
            probabilities, _ = _read_back(generator, pixels, ids, attention=False)
            for row, p in zip(ids[:, 1:].tolist(), probabilities.numpy()):
                words = generator.vocabulary.decode(row)
                captions.append(Caption(tuple(words), tuple(float(x) for x in p[: len(words)])))
    return captions


class AttentionCaption(NamedTuple):
    words: list[str]
    probabilities: np.ndarray  # (words,)
    cross_attention: np.ndarray  # (layers, heads, words, patches): each row sums to 1 over the patches


def caption_with_attention(
    generator: Generator,
    image: np.ndarray,
    method: str = "greedy",
    beams: int = 3,
    temperature: float = 1.0,
    seed: int = 0,
) -> AttentionCaption:
    """One picture's caption and where the decoder looked while writing each word.

    Row w of cross_attention is the attention of the step that *wrote* word w, over the image patches
    in reading order (reshape the last axis to (PATCH_GRID, PATCH_GRID) for a picture). The ViT also
    hands the decoder a summary token; its share is dropped and the rest renormalised, so rows are a
    distribution over patches.
    """
    with torch.no_grad(), one_thread():
        pixels = pixel_tensor(image[None])
        ids = _generate_ids(generator, pixels, method, beams, temperature, seed)
        probabilities, attention = _read_back(generator, pixels, ids, attention=True)
    words = generator.vocabulary.decode(ids[0, 1:].tolist())
    patches = attention[:, 0, :, : len(words), 1:].numpy()  # (layers, heads, words, patches)
    return AttentionCaption(words, probabilities[0, : len(words)].numpy(), patches / patches.sum(-1, keepdims=True))


# ---------------------------------------------------------------- the example-based captioner
@dataclass(frozen=True)
class ExampleDictionary:
    """The stored examples: each training picture as a short vector, next to its caption."""

    mean: np.ndarray  # (pixels,)
    basis: np.ndarray  # (pixels, dims): principal directions of the training pixels
    embeddings: np.ndarray  # (N, dims) float32
    captions: tuple[str, ...]

    @property
    def nbytes(self) -> int:
        """What has to be kept in memory: the vectors, the captions and the projection."""
        return (
            self.embeddings.nbytes + sum(len(c.encode()) for c in self.captions) + self.mean.nbytes + self.basis.nbytes
        )


def build_dictionary(images: np.ndarray, captions: Sequence[str], dims: int = EMBEDDING_DIMS) -> ExampleDictionary:
    """PCA through the (N, N) matrix of dot products between pictures: with fewer pictures than pixels
    this is several times cheaper than a singular value decomposition of the (N, pixels) matrix."""
    vectors = images.reshape(len(images), -1).astype(np.float32) / 255.0
    mean = vectors.mean(0)
    centred = vectors - mean
    with one_thread():
        energy, mix = np.linalg.eigh(centred @ centred.T)  # ascending
        top = np.argsort(energy)[::-1][:dims]
        basis = (centred.T @ mix[:, top] / np.sqrt(energy[top])).astype(
            np.float32
        )  # (pixels, dims), orthonormal columns
        return ExampleDictionary(mean, basis, centred @ basis, tuple(captions))


def dictionary_from(world: worlds.World) -> ExampleDictionary:
    """The default dictionary, from the training world (seed TRAIN_SEED): the same pictures and captions
    that the generative captioner learned from."""
    indices, captions = training_pairs(world, "train")
    return build_dictionary(world.images[indices], captions)


def neighbours(dictionary: ExampleDictionary, images: np.ndarray, k: int) -> np.ndarray:
    """(N, k) indices of the stored pictures nearest to each picture (Euclidean distance), nearest first."""
    query = (images.reshape(len(images), -1).astype(np.float32) / 255.0 - dictionary.mean) @ dictionary.basis
    distances = (
        (query**2).sum(1, keepdims=True) - 2 * query @ dictionary.embeddings.T + (dictionary.embeddings**2).sum(1)
    )
    k = min(k, len(dictionary.captions))
    nearest = np.argpartition(distances, k - 1, axis=1)[:, :k]
    order = np.take_along_axis(distances, nearest, 1).argsort(1, kind="stable")
    return np.take_along_axis(nearest, order, 1)


def _supported(words: list[str], found: list[list[str]]) -> Caption:
    """A caption whose word probabilities are the share of the neighbours' captions with that word in that place."""
    share = [sum(len(f) > i and f[i] == w for f in found) / len(found) for i, w in enumerate(words)]
    return Caption(tuple(words), tuple(share))


def retrieve(dictionary: ExampleDictionary, images: np.ndarray, k: int = DEFAULT_K) -> list[Caption]:
    """Nearest neighbour: the stored caption of the closest stored picture, as it is."""
    out = []
    for row in neighbours(dictionary, images, k):
        found = [dictionary.captions[i].split() for i in row]
        out.append(_supported(found[0], found))
    return out


def combine(dictionary: ExampleDictionary, images: np.ndarray, k: int = DEFAULT_K) -> list[Caption]:
    """Combination: each slot (size, colour, shape, position) by majority vote of the k nearest captions,
    ties to the nearer neighbour, so the result may be a caption no stored example has."""
    out = []
    for row in neighbours(dictionary, images, k):
        found = [dictionary.captions[i].split() for i in row]
        slots = [described(f) for f in found]
        voted = {slot: Counter(s[slot] for s in slots if slot in s).most_common(1)[0][0] for slot in SLOTS}
        out.append(_supported(canonical_caption(voted).split(), found))
    return out


def caption_all(
    generator: Generator,
    dictionary: ExampleDictionary,
    images: np.ndarray,
    method: str = "greedy",
    beams: int = 3,
    temperature: float = 1.0,
    k: int = DEFAULT_K,
    seed: int = 0,
) -> dict[str, list[Caption]]:
    """Every captioner on the same pictures, keyed by CAPTIONERS."""
    return {
        "retrieval": retrieve(dictionary, images, k),
        "combination": combine(dictionary, images, k),
        "generative": generate(generator, images, method, beams, temperature, seed),
    }


# ---------------------------------------------------------------- scoring
def described(words: Sequence[str]) -> dict[str, str]:
    """What a caption says about one object: the first value it names for each slot."""
    said: dict[str, str] = {}
    for slot, value in mentions(words):
        said.setdefault(slot, value)
    return said


def mentions(words: Sequence[str]) -> list[tuple[str, str]]:
    """Every (slot, value) the caption claims, e.g. ('colour', 'red'); 'a', 'on', 'the' claim nothing."""
    return [(SLOT_OF_WORD[w], w) for w in words if w in SLOT_OF_WORD]


def hallucinated_words(words: Sequence[str], scene: Scene) -> list[bool]:
    """For each word: True when it names a value that no object in the picture has (CHAIR's 'not in
    the image'); words that name nothing ('a', 'on', 'the') are never hallucinated."""
    present = {(slot, obj[slot]) for obj in scene for slot in SLOTS}
    return [w in SLOT_OF_WORD and (SLOT_OF_WORD[w], w) not in present for w in words]


def chair(captions: Sequence[Sequence[str]], scenes: Sequence[Scene]) -> tuple[float, float]:
    """CHAIR (Rohrbach et al., 2018) adapted to the Shapes world, where a mention is an attribute value.

    CHAIR_i = hallucinated mentions / all mentions; CHAIR_s = captions with at least one hallucinated
    mention / all captions.
    """
    flags = [hallucinated_words(words, scene) for words, scene in zip(captions, scenes)]
    n_mentions = sum(len(mentions(words)) for words in captions)
    chair_i = sum(sum(f) for f in flags) / n_mentions if n_mentions else 0.0
    chair_s = sum(any(f) for f in flags) / len(flags) if flags else 0.0
    return chair_i, chair_s


def is_exact(words: Sequence[str], scene: Scene) -> bool:
    """Exactly right: the picture holds one object and the caption is its canonical caption. A sentence
    about one object cannot be right about two, or about a photograph with no shape in it."""
    return len(scene) == 1 and " ".join(words) == canonical_caption(scene[0])


def exact_match(captions: Sequence[Caption], scenes: Sequence[Scene]) -> float:
    return float(np.mean([is_exact(c.words, s) for c, s in zip(captions, scenes)])) if scenes else float("nan")


def attribute_accuracy(captions: Sequence[Caption], scenes: Sequence[Scene]) -> dict[str, float]:
    """Per slot: how often the caption's value matches the object it describes best (the one sharing the
    most values with it). Undefined (NaN) for pictures with no object."""
    hits = {slot: [] for slot in SLOTS}
    for caption, scene in zip(captions, scenes):
        if not scene:
            continue
        said = described(caption.words)
        best = max(scene, key=lambda obj: sum(said.get(s) == obj[s] for s in SLOTS))
        for slot in SLOTS:
            hits[slot].append(said.get(slot) == best[slot])
    return {slot: float(np.mean(h)) if h else float("nan") for slot, h in hits.items()}


@dataclass(frozen=True)
class Scores:
    n: int
    exact_match: float
    attributes: dict[str, float]
    chair_i: float
    chair_s: float
    confidence: float  # mean word probability: high with many errors = confidently wrong


def score(captions: Sequence[Caption], scenes: Sequence[Scene]) -> Scores:
    chair_i, chair_s = chair([c.words for c in captions], scenes)
    confidence = float(np.mean([p for c in captions for p in c.probabilities])) if captions else float("nan")
    return Scores(
        len(scenes), exact_match(captions, scenes), attribute_accuracy(captions, scenes), chair_i, chair_s, confidence
    )


class Result(NamedTuple):
    captions: list[Caption]
    scores: Scores


def evaluate(
    generator: Generator, dictionary: ExampleDictionary, sets: Sequence[StressSet], k: int = DEFAULT_K
) -> dict[str, dict[str, Result]]:
    """Every captioner on every stress set (greedy decoding), as one batch: set -> captioner -> result."""
    everything = caption_all(generator, dictionary, np.concatenate([s.images for s in sets]), k=k)
    results, start = {}, 0
    for stress in sets:
        stop = start + len(stress.images)
        results[stress.name] = {
            name: Result(captions[start:stop], score(captions[start:stop], stress.scenes))
            for name, captions in everything.items()
        }
        start = stop
    return results


# ---------------------------------------------------------------- cost
DICTIONARY_SIZES = (250, 1000, 4000, 16000, 64000, 256000)


def _median_seconds(run, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def cost(
    generator: Generator,
    dictionary: ExampleDictionary,
    image: np.ndarray,
    sizes: Sequence[int] = DICTIONARY_SIZES,
    repeats: int = 3,
) -> dict[str, list[float]]:
    """Measured now: memory and time per caption of retrieval as its dictionary grows (the stored
    examples repeated to each size: the cost does not depend on what they say), and of the generative
    model, whose size does not depend on how many examples it learned from."""
    query = image[None]
    retrieval_bytes, retrieval_seconds = [], []
    for n in sizes:
        vectors = np.resize(dictionary.embeddings, (n, dictionary.embeddings.shape[1]))  # rows repeated to n
        grown = ExampleDictionary(
            dictionary.mean,
            dictionary.basis,
            vectors,
            tuple(dictionary.captions[i % len(dictionary.captions)] for i in range(n)),
        )
        retrieval_bytes.append(float(grown.nbytes))
        retrieval_seconds.append(_median_seconds(lambda: retrieve(grown, query), repeats))
    model_bytes = float(sum(p.numel() * p.element_size() for p in generator.model.parameters()))
    return {
        "sizes": list(sizes),
        "retrieval_bytes": retrieval_bytes,
        "retrieval_seconds": retrieval_seconds,
        "generative_bytes": [model_bytes] * len(sizes),
        "greedy_seconds": [_median_seconds(lambda: generate(generator, query), repeats)] * len(sizes),
        "beam_seconds": [_median_seconds(lambda: generate(generator, query, "beam"), repeats)] * len(sizes),
    }
