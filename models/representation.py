"""Joint vs coordinated representations of the same three modalities, trained on the same split.

A *joint* representation feeds every modality into one network and gets one vector per sample: it
needs all of them, at training and at inference. A *coordinated* representation gives each modality
its own encoder and space, and ties the spaces together with a constraint: here the CLIP-style
symmetric InfoNCE loss, which pulls a sample's image, caption and sound vectors together and pushes
other samples' apart. The constraint is weighted against each modality's own objective (predict the
attributes it carries), so its weight slides from "very weak" (three unrelated spaces) to "very
strong" (one shared space). Both kinds are trained without some attribute combinations (every purple
star, ...), so the coordinated space can be tested on combinations it has never seen (zero-shot).

Public entry points for other pages: `load(world_name, strength)` (strength None: the joint model),
then `embed_images`, `embed_texts`, `embed_sounds` of a coordinated model: unit vectors in one shared
space, so `similarity` (their dot product) is the cosine, e.g. of words to pictures.

The two kinds are those of the taxonomy of Baltrušaitis, Ahuja & Morency 2019 ("Multimodal machine
learning: a survey and taxonomy", IEEE TPAMI 41(2)), section 3: joint representations combine the
unimodal signals into one space; coordinated ones process them separately and enforce constraints
(similarity, structure) between their spaces. The survey notes that joint ones are mostly used where
every modality is present in training and at inference, coordinated ones where only one modality may be
there at test time (retrieval, translation, grounding, zero-shot learning).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch
from torch import nn

from models.core import checkpoints, classifiers, features, worlds
from models.core.classifiers import Progress

MODALITIES = ("image", "text", "sound")
PAIRS = (("image", "text"), ("image", "sound"), ("text", "sound"))
EMBED_DIM = 32
TEMPERATURE = 0.1  # fixed, not learned: the same sharpness for every strength
STRENGTHS = (0.0, 0.01, 0.05, 0.2, 1.0)  # weight of the coordination loss; 1 - weight goes to each modality's own task
DEFAULT_STRENGTH = 0.2
TRAIN_SEED = 0
EPOCHS = 20
BATCH_SIZE = 64
SOUND_INPUTS = 2 * features.N_MELS  # each mel band's mean and peak over time

# What each modality can tell (sound never says where a shape is); digits' parity and magnitude follow from the digit.
CARRIES = {
    "shapes": {
        "image": ("shape", "colour", "size", "position"),
        "text": ("shape", "colour", "size", "position"),
        "sound": ("shape", "colour", "size"),
    },
    "digits": {m: ("digit",) for m in MODALITIES},
}
CLASSES = {
    "shape": worlds.SHAPES,
    "colour": worlds.COLOURS,
    "size": worlds.SIZES,
    "position": worlds.POSITIONS,
    "digit": worlds.DIGITS,
}
# Combinations of shape and colour that no model ever trains on: each shape and each colour once at most.
HELD_OUT = {"shapes": (("star", "purple"), ("triangle", "green"), ("circle", "orange")), "digits": ()}
DESCRIPTION = "{colour} {shape}"  # a zero-shot label: one for every shape x colour


# ---------------------------------------------------------------- the split
def held_out_mask(world: worlds.World) -> np.ndarray:
    """(N,) True for samples whose shape-colour combination is kept out of training."""
    mask = np.zeros(len(world), dtype=bool)
    for shape, colour in HELD_OUT[world.name]:
        mask |= (world.labels("shape") == worlds.SHAPES.index(shape)) & (
            world.labels("colour") == worlds.COLOURS.index(colour)
        )
    return mask


def training_indices(world: worlds.World) -> np.ndarray:
    """The train split minus every held-out combination: what both models learn from."""
    return np.flatnonzero((world.split == worlds.SPLIT_NAMES.index("train")) & ~held_out_mask(world))


def same_object(world: worlds.World, rows: np.ndarray, modality: str | None = None) -> np.ndarray:
    """(R, R) True where two of the samples `rows` show the same object, as far as `modality` can tell
    (a sound never tells the position).

    Many samples share every attribute, so retrieving any of them (not only the sample's own pair)
    is a correct answer; this is what recall and its chance level are computed against.
    """
    same = np.ones((len(rows), len(rows)), dtype=bool)
    for attribute in CARRIES[world.name]["sound" if modality == "sound" else "image"]:
        values = world.labels(attribute)[rows]
        same &= values[:, None] == values[None, :]
    return same


# ---------------------------------------------------------------- inputs
SOUND_CHUNK = 128  # clips per spectrogram batch: the training split's 1025 at once took 0.8-2 s, in 128s 0.12 s


def sound_inputs(clips: np.ndarray, sr: int) -> np.ndarray:
    """(N, T) -> (N, 2 * mels): every mel band's mean and peak over time. Timbre, pitch and octave
    live in the spectrum; when the note starts does not matter, so time is pooled away.
    Computed in chunks of SOUND_CHUNK clips (each clip's spectrogram is its own, so the result is the
    same): one batch of every clip's STFT frames outgrew the CPU caches and was several times slower."""
    pooled = []
    for start in range(0, len(clips), SOUND_CHUNK):
        spectrograms = features.sound_spectrograms(clips[start : start + SOUND_CHUNK], sr)  # (n, mels, frames)
        pooled.append(np.concatenate([spectrograms.mean(-1), spectrograms.max(-1)], axis=1))
    return np.concatenate(pooled).astype(np.float32) if pooled else np.zeros((0, SOUND_INPUTS), np.float32)


def dictionary_from(vocabulary: str):
    """The training dictionary, rebuilt from its saved word list (word order = index order)."""
    return features.fit_dictionary([vocabulary])


def world_inputs(world: worlds.World, dictionary, rows: np.ndarray) -> dict[str, torch.Tensor]:
    """The samples `rows` in the three modalities, as the encoders read them."""
    return {
        "image": classifiers.images_to_tensor(world.images[rows]),  # (R, 3, H, W)
        "text": torch.from_numpy(features.text_vectors(dictionary, [world.captions[i] for i in rows])),  # (R, V)
        "sound": torch.from_numpy(sound_inputs(world.audio[rows], world.sample_rate)),
    }  # (R, 2 * mels)


# ---------------------------------------------------------------- the networks
IMAGE_FEATURES = 32 * 4 * 4


def _image_trunk() -> nn.Sequential:
    """Two small convolution blocks: colour, outline and (thanks to 4x4 pooling) coarse position.
    The second one strides, which halves the training time and keeps every detail of the first."""
    return nn.Sequential(
        nn.Conv2d(3, 16, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, stride=2, padding=1),
        nn.ReLU(),
        nn.AdaptiveAvgPool2d(4),
        nn.Flatten(),
    )


def _encoder(modality: str, vocabulary_size: int) -> nn.Module:
    if modality == "image":
        return nn.Sequential(_image_trunk(), nn.Linear(IMAGE_FEATURES, EMBED_DIM))
    if modality == "text":  # linear in the bag of words: a sentence is the sum of its words' vectors
        return nn.Linear(vocabulary_size, EMBED_DIM)
    return nn.Sequential(nn.Linear(SOUND_INPUTS, 64), nn.ReLU(), nn.Linear(64, EMBED_DIM))


def _unit(x: torch.Tensor) -> torch.Tensor:
    return nn.functional.normalize(x, dim=-1)


class CoordinatedNet(nn.Module):
    """One encoder per modality into a space of its own, and one head per attribute it carries."""

    def __init__(self, world_name: str, vocabulary_size: int):
        super().__init__()
        self.encoders = nn.ModuleDict({m: _encoder(m, vocabulary_size) for m in MODALITIES})
        self.heads = nn.ModuleDict(
            {
                m: nn.ModuleDict({a: nn.Linear(EMBED_DIM, len(CLASSES[a])) for a in names})
                for m, names in CARRIES[world_name].items()
            }
        )

    def forward(self, modality: str, x: torch.Tensor) -> torch.Tensor:  # (B, ...) -> (B, EMBED_DIM) unit vectors
        return _unit(self.encoders[modality](x))


class JointNet(nn.Module):
    """Image features, bag of words and sound features concatenated, then one network: one vector per sample."""

    def __init__(self, world_name: str, vocabulary_size: int):
        super().__init__()
        self.image = _image_trunk()
        self.fuse = nn.Sequential(
            nn.Linear(IMAGE_FEATURES + vocabulary_size + SOUND_INPUTS, 64), nn.ReLU(), nn.Linear(64, EMBED_DIM)
        )
        every_attribute = CARRIES[world_name]["text"]  # the caption names them all
        self.heads = nn.ModuleDict({a: nn.Linear(EMBED_DIM, len(CLASSES[a])) for a in every_attribute})

    def forward(self, image: torch.Tensor, text: torch.Tensor, sound: torch.Tensor) -> torch.Tensor:
        return self.from_features(self.image(image), text, sound)

    def from_features(self, image_features: torch.Tensor, text: torch.Tensor, sound: torch.Tensor) -> torch.Tensor:
        """The shared layers, from the image's CNN features: (B, ...) x 3 -> (B, EMBED_DIM) unit vectors."""
        return _unit(self.fuse(torch.cat([image_features, text, sound], dim=1)))


# ---------------------------------------------------------------- the losses
def info_nce(a: torch.Tensor, b: torch.Tensor, temperature: float = TEMPERATURE) -> torch.Tensor:
    """CLIP's symmetric contrastive loss: in a batch, each a must pick its own b and each b its own a.
    a, b: (B, D) unit vectors; row i of both is the same sample."""
    logits = a @ b.T / temperature  # (B, B) cosine / temperature; pairs on the diagonal
    target = torch.arange(len(a))
    return (nn.functional.cross_entropy(logits, target) + nn.functional.cross_entropy(logits.T, target)) / 2


def coordination_loss(embeddings: dict[str, torch.Tensor]) -> torch.Tensor:
    return sum(info_nce(embeddings[m1], embeddings[m2]) for m1, m2 in PAIRS) / len(PAIRS)


def own_loss(net: CoordinatedNet, embeddings: dict[str, torch.Tensor], labels: dict[str, torch.Tensor]) -> torch.Tensor:
    """Each modality's own objective: predict, from its vector alone, every attribute it carries."""
    terms = [
        nn.functional.cross_entropy(head(embeddings[m]), labels[a])
        for m, heads in net.heads.items()
        for a, head in heads.items()
    ]
    return sum(terms) / len(terms)


def joint_loss(net: JointNet, embedding: torch.Tensor, labels: dict[str, torch.Tensor]) -> torch.Tensor:
    return sum(nn.functional.cross_entropy(head(embedding), labels[a]) for a, head in net.heads.items()) / len(
        net.heads
    )


# ---------------------------------------------------------------- training
@dataclass(frozen=True)
class TrainingData:
    world: worlds.World
    dictionary: object  # the CountVectorizer fitted on the training captions
    inputs: dict[str, torch.Tensor]  # modality -> (N, ...) for every sample of the world
    labels: dict[str, torch.Tensor]  # attribute -> (N,)
    train: np.ndarray  # indices the models learn from


@lru_cache(maxsize=2)
def training_data(world_name: str) -> TrainingData:
    """The training world and its inputs, made once per process: every model of a world shares them."""
    return prepare(worlds.make_world(world_name, TRAIN_SEED))


def prepare(world: worlds.World) -> TrainingData:
    """A world's inputs, labels and training rows, with the dictionary of its training captions."""
    train = training_indices(world)
    dictionary = features.fit_dictionary([world.captions[i] for i in train])
    labels = {a: torch.from_numpy(v.astype(np.int64)) for a, v in world.attributes.items()}
    return TrainingData(world, dictionary, world_inputs(world, dictionary, np.arange(len(world))), labels, train)


def fit(
    net: nn.Module,
    loss_of_batch,
    n_samples: int,
    *,
    epochs: int = EPOCHS,
    seed: int = TRAIN_SEED,
    progress: Progress = classifiers._quiet,
) -> list[float]:
    """Mini-batch Adam on `loss_of_batch(indices)`; returns the mean loss of every epoch."""
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    optimiser = torch.optim.Adam(net.parameters(), lr=3e-3)
    losses = []
    for epoch in range(epochs):
        net.train()
        total = 0.0
        for batch in torch.randperm(n_samples, generator=generator).split(BATCH_SIZE):
            loss = loss_of_batch(batch)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total += loss.item() * len(batch)
        losses.append(total / n_samples)
        progress((epoch + 1) / epochs, f"epoch {epoch + 1}/{epochs}: loss {losses[-1]:.3f}")
    net.eval()
    return losses


def train_coordinated(
    data: TrainingData, strength: float, *, epochs: int = EPOCHS, progress: Progress = classifiers._quiet
) -> tuple[CoordinatedNet, list[float]]:
    """loss = strength x coordination + (1 - strength) x each modality's own objective."""
    torch.manual_seed(TRAIN_SEED)
    net = CoordinatedNet(data.world.name, len(data.dictionary.vocabulary_))
    rows = torch.from_numpy(data.train)

    def loss_of_batch(batch: torch.Tensor) -> torch.Tensor:
        index = rows[batch]
        embeddings = {m: net(m, data.inputs[m][index]) for m in MODALITIES}
        labels = {a: v[index] for a, v in data.labels.items()}
        own = own_loss(net, embeddings, labels) if strength < 1 else 0.0
        coordination = coordination_loss(embeddings) if strength > 0 else 0.0
        return strength * coordination + (1 - strength) * own

    return net, fit(net, loss_of_batch, len(rows), epochs=epochs, progress=progress)


def train_joint(
    data: TrainingData, *, epochs: int = EPOCHS, progress: Progress = classifiers._quiet
) -> tuple[JointNet, list[float]]:
    """Every modality in, attributes out: the joint vector is whatever the shared layers make of all three."""
    torch.manual_seed(TRAIN_SEED)
    net = JointNet(data.world.name, len(data.dictionary.vocabulary_))
    rows = torch.from_numpy(data.train)

    def loss_of_batch(batch: torch.Tensor) -> torch.Tensor:
        index = rows[batch]
        embedding = net(*(data.inputs[m][index] for m in MODALITIES))
        return joint_loss(net, embedding, {a: v[index] for a, v in data.labels.items()})

    return net, fit(net, loss_of_batch, len(rows), epochs=epochs, progress=progress)


# ---------------------------------------------------------------- trained models, as pages use them
@dataclass(frozen=True)
class Model:
    """A trained network with the dictionary its text input was built from."""

    net: nn.Module
    dictionary: object
    strength: float | None  # None for the joint model
    meta: dict

    @property
    def joint(self) -> bool:
        return self.strength is None


def name(world_name: str, strength: float | None) -> str:
    """Weights file name: the joint model, or the coordinated one trained at `strength`."""
    if strength is None:
        return f"representation_joint_{world_name}"
    return f"representation_coordinated_{world_name}_w{round(strength * 100):03d}"


def _build(world_name: str, strength: float | None, vocabulary_size: int) -> nn.Module:
    return (JointNet if strength is None else CoordinatedNet)(world_name, vocabulary_size)


def load(world_name: str, strength: float | None, progress: Progress = classifiers._quiet) -> Model:
    """The default model from models/weights (trained now if missing), ready for inference."""
    state, meta = checkpoints.load(name(world_name, strength), progress)
    dictionary = dictionary_from(str(meta["vocabulary"]))
    net = _build(world_name, strength, len(dictionary.vocabulary_))
    net.load_state_dict(state)
    net.eval()
    return Model(net, dictionary, strength, meta)


def embed(model: Model, modality: str, x: torch.Tensor) -> np.ndarray:
    """(N, ...) inputs of one modality -> (N, EMBED_DIM) unit vectors in that modality's space."""
    with torch.no_grad():
        return model.net(modality, x).numpy()


def embed_images(model: Model, images: np.ndarray) -> np.ndarray:
    """(N, H, W, 3) uint8 pictures -> (N, EMBED_DIM) unit vectors of the coordinated image space."""
    return embed(model, "image", classifiers.images_to_tensor(images))


def embed_texts(model: Model, texts: list[str]) -> np.ndarray:
    """Captions or single words -> (N, EMBED_DIM) unit vectors of the coordinated text space.
    Words outside the training dictionary are ignored (see features.out_of_vocabulary)."""
    return embed(model, "text", torch.from_numpy(features.text_vectors(model.dictionary, texts)))


def embed_sounds(model: Model, clips: np.ndarray, sr: int) -> np.ndarray:
    """(N, T) waveforms -> (N, EMBED_DIM) unit vectors of the coordinated sound space."""
    return embed(model, "sound", torch.from_numpy(sound_inputs(clips, sr)))


def similarity(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(Na, D), (Nb, D) unit vectors -> (Na, Nb) cosine similarity."""
    return a @ b.T


def modality_embeddings(model: Model, inputs: dict[str, torch.Tensor]) -> dict[str, np.ndarray]:
    """Coordinated model: every sample in each modality's space, modality -> (N, EMBED_DIM)."""
    return {m: embed(model, m, inputs[m]) for m in MODALITIES}


def fuse(by_modality: dict[str, np.ndarray], present: tuple[str, ...] = MODALITIES) -> np.ndarray:
    """A coordinated model's vector for a sample: the mean of the unit vectors of the modalities
    that are there, back on the unit sphere. Any subset of the modalities will do."""
    mean = np.mean([by_modality[m] for m in present], axis=0)
    return mean / np.linalg.norm(mean, axis=1, keepdims=True)


def joint_embeddings(
    model: Model,
    inputs: dict[str, torch.Tensor],
    fill: dict[str, torch.Tensor],
    scenarios: tuple[tuple[str, ...], ...] = (MODALITIES,),
) -> dict[tuple, np.ndarray]:
    """The joint model's one vector per sample, (N, EMBED_DIM), for each scenario (the modalities
    present). It cannot leave an input out: the missing ones are imputed with their training mean (`fill`)."""
    n = len(inputs["text"])
    with torch.no_grad():
        pictures = (
            model.net.image(inputs["image"]) if any("image" in p for p in scenarios) else None
        )  # once: the costly part

        def slot(modality: str, present: tuple[str, ...]) -> torch.Tensor:
            if modality == "image":
                return pictures if "image" in present else model.net.image(fill["image"]).expand(n, -1)
            return inputs[modality] if modality in present else fill[modality].expand(n, -1)

        return {
            present: model.net.from_features(*(slot(m, present) for m in MODALITIES)).numpy() for present in scenarios
        }


# ---------------------------------------------------------------- measuring a space
def paired_cosine(by_modality: dict[str, np.ndarray]) -> float:
    """Mean cosine between a sample's vectors in two modalities, over every pair of modalities:
    about 0 when the spaces ignore each other, 1 when they coincide."""
    return float(np.mean([np.sum(by_modality[a] * by_modality[b], axis=1).mean() for a, b in PAIRS]))


def recall_at_k(scores: np.ndarray, relevant: np.ndarray, k: int) -> float:
    """Fraction of queries (rows) with at least one relevant item among their k best-scored columns."""
    top = np.argpartition(-scores, kth=min(k, scores.shape[1] - 1), axis=1)[:, :k]
    return float(np.take_along_axis(relevant, top, axis=1).any(axis=1).mean())


def chance_recall(relevant: np.ndarray, k: int) -> float:
    """Recall@k of a random ranking: 1 - C(N - r, k) / C(N, k) for a query with r relevant items."""
    n = relevant.shape[1]
    misses = [math.comb(n - r, k) / math.comb(n, k) for r in relevant.sum(axis=1)]
    return float(1 - np.mean(misses))


def neighbour_agreement(vectors: np.ndarray, labels: np.ndarray) -> float:
    """Share of samples whose nearest other sample (by cosine) has the same label: how well a space
    groups a class, without training anything on it."""
    scores = similarity(vectors, vectors)
    np.fill_diagonal(scores, -np.inf)
    return float((labels[scores.argmax(axis=1)] == labels).mean())


def descriptions(world_name: str) -> tuple[list[str], list[tuple[int, int]]]:
    """Every shape x colour as a typed label ("purple star"), with its (shape, colour) indices."""
    if world_name != "shapes":
        return [], []
    pairs = [(s, c) for s in range(len(worlds.SHAPES)) for c in range(len(worlds.COLOURS))]
    return [DESCRIPTION.format(shape=worlds.SHAPES[s], colour=worlds.COLOURS[c]) for s, c in pairs], pairs


def zero_shot_predictions(model: Model, image_vectors: np.ndarray) -> np.ndarray:
    """Index of the nearest description (by cosine in the shared space) for each image, (N,)."""
    texts, _ = descriptions("shapes")
    return similarity(image_vectors, embed_texts(model, texts)).argmax(axis=1)


def zero_shot_accuracy(model: Model, world: worlds.World, image_vectors: np.ndarray, rows: np.ndarray) -> float:
    """Share of the images of samples `rows` (vectors `image_vectors`, aligned with `rows`) whose
    nearest description names their true shape and colour."""
    _, pairs = descriptions(world.name)
    predicted = np.array(pairs)[zero_shot_predictions(model, image_vectors)]
    truth = np.stack([world.labels("shape")[rows], world.labels("colour")[rows]], axis=1)
    return float((predicted == truth).all(axis=1).mean())


def probe_probabilities(
    train_vectors: np.ndarray, train_labels: np.ndarray, test_sets: dict[tuple, np.ndarray], n_classes: int
) -> dict[tuple, np.ndarray]:
    """A linear probe (multinomial logistic regression) fitted once on full training vectors, then
    asked about each test set: (n, n_classes) class probabilities, a column for every class.

    A linear probe reads how much of an attribute a representation keeps in a linearly readable form
    (Alain & Bengio 2016, "Understanding intermediate layers using linear classifier probes")."""
    from sklearn.linear_model import LogisticRegression

    probe = LogisticRegression(C=10.0, max_iter=500).fit(train_vectors, train_labels)
    out = {}
    for key, x in test_sets.items():
        probabilities = np.zeros((len(x), n_classes))
        probabilities[:, probe.classes_] = probe.predict_proba(x)  # a class absent from training stays at 0
        out[key] = probabilities
    return out


# Which modalities are there at inference: all three, one missing, or only one left (every non-empty subset).
SCENARIOS = (
    MODALITIES,
    *(tuple(m for m in MODALITIES if m != gone) for gone in MODALITIES),
    *((m,) for m in MODALITIES),
)


def imputation(train_inputs: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """What the joint model reads in place of a missing modality: the average training input of that
    modality (mean imputation), modality -> (1, ...)."""
    return {m: x.mean(0, keepdim=True) for m, x in train_inputs.items()}


def scenario_vectors(
    model: Model, train_inputs: dict[str, torch.Tensor], test_inputs: dict[str, torch.Tensor]
) -> tuple[np.ndarray, dict[tuple, np.ndarray]]:
    """A model's training vectors made from every modality, (n_train, D), and its test vectors for each
    scenario of SCENARIOS (the modalities present at inference), scenario -> (n_test, D). The joint model
    must fill a missing input (see `imputation`); the coordinated one averages the vectors of the
    modalities that are there (`fuse`). The same for every attribute a probe is then asked about."""
    if model.joint:
        fill = imputation(train_inputs)
        return joint_embeddings(model, train_inputs, fill)[MODALITIES], joint_embeddings(
            model, test_inputs, fill, SCENARIOS
        )
    by_modality = modality_embeddings(model, test_inputs)
    return fuse(modality_embeddings(model, train_inputs)), {
        present: fuse(by_modality, present) for present in SCENARIOS
    }


def scenario_answers(
    world: worlds.World, vectors: tuple[np.ndarray, dict[tuple, np.ndarray]], attribute: str
) -> dict[tuple, np.ndarray]:
    """Each test sample's class probabilities for `attribute`, (n_test, n_classes), for each scenario, from
    a linear probe fitted on the training vectors. `vectors`: scenario_vectors of training_indices(world)
    and of the test split."""
    train_vectors, test_vectors = vectors
    labels = world.labels(attribute)[training_indices(world)]
    return probe_probabilities(train_vectors, labels, test_vectors, len(world.classes[attribute]))


def accuracy(probabilities: np.ndarray, labels: np.ndarray) -> float:
    """Share of rows whose most probable class is the label."""
    return float((probabilities.argmax(axis=1) == labels).mean())


def missing_modality(
    model: Model,
    world: worlds.World,
    train_inputs: dict[str, torch.Tensor],
    test_inputs: dict[str, torch.Tensor],
    attribute: str,
) -> dict[tuple, float]:
    """Test accuracy of the linear probe for `attribute` in each scenario of SCENARIOS (see `scenario_answers`)."""
    truth = world.labels(attribute)[world.indices("test")]
    answers = scenario_answers(world, scenario_vectors(model, train_inputs, test_inputs), attribute)
    return {present: accuracy(p, truth) for present, p in answers.items()}


def still_answers(accuracies: dict[tuple, float], present: tuple[str, ...], chance: float) -> bool:
    """Whether a model still answers with only `present`: it keeps at least half of its margin over
    chance that it had with every modality (a model at chance level answers nothing)."""
    margin = accuracies[MODALITIES] - chance
    return margin > 0 and accuracies[present] - chance >= margin / 2


RETRIEVALS = (("text", "image"), ("image", "text"), ("sound", "image"), ("image", "sound"))


def nearest(query: np.ndarray, gallery: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The `k` gallery rows most similar to one query vector by cosine similarity, best first, and
    their cosines: one sample's nearest captions in the coordinated space."""
    cosine = gallery @ query / (np.linalg.norm(gallery, axis=1) * np.linalg.norm(query) + 1e-12)
    order = np.argsort(-cosine, kind="stable")[:k]
    return order, cosine[order]


def neighbours(vectors: np.ndarray, position: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The `k` rows of `vectors` nearest to row `position` by cosine similarity, itself left out, best
    first, with their cosines: a sample's neighbours in the full space, not in a 2-D picture of it."""
    order, cosine = nearest(vectors[position], vectors, k + 1)
    keep = order != position
    return order[keep][:k], cosine[keep][:k]


def retrieval(world: worlds.World, by_modality: dict[str, np.ndarray], query: str, gallery: str) -> dict[str, float]:
    """Recall@1 and @5 on the test split, queries of one modality against a gallery of another, with chance.
    `by_modality`: modality -> (n_test, D), aligned with world.indices("test"), as for every measure below."""
    relevant = same_object(world, world.indices("test"), "sound" if "sound" in (query, gallery) else None)
    scores = similarity(by_modality[query], by_modality[gallery])
    return {
        f"{what}{k}": fn(*args, k)
        for k in (1, 5)
        for what, fn, args in (("r", recall_at_k, (scores, relevant)), ("chance_r", chance_recall, (relevant,)))
    }


def headline(model: Model, world: worlds.World, by_modality: dict[str, np.ndarray]) -> dict[str, float]:
    """A coordinated model's headline numbers on the test split: alignment, retrieval, zero-shot."""
    text_to_image = retrieval(world, by_modality, "text", "image")
    report = {
        "paired_cosine": paired_cosine(by_modality),
        "text_to_image_r1": text_to_image["r1"],
        "text_to_image_r5": text_to_image["r5"],
    }
    if HELD_OUT[world.name]:
        test = world.indices("test")
        unseen = held_out_mask(world)[test]
        for key, chosen in (("zero_shot", unseen), ("zero_shot_seen", ~unseen)):
            report[key] = zero_shot_accuracy(model, world, by_modality["image"][chosen], test[chosen])
    return report


# ---------------------------------------------------------------- pictures of a space
PROJECTION_SAMPLES = 120  # test samples drawn: 360 points for the coordinated model
PROJECTIONS = ("pca", "tsne")


def projection_positions(n_test: int) -> np.ndarray:
    """Which test samples (positions in the test split) the projections draw: always the same, spread out."""
    return np.linspace(0, n_test - 1, min(PROJECTION_SAMPLES, n_test)).astype(int)


def project(vectors: np.ndarray, method: str, dims: int, seed: int = 0) -> np.ndarray:
    """(N, D) -> (N, dims): PCA keeps the largest directions of variance (fast, linear, distances
    along them are real); t-SNE keeps neighbourhoods (slow, non-linear, far distances mean little)."""
    if method == "pca":
        from sklearn.decomposition import PCA

        return PCA(n_components=dims, random_state=seed).fit_transform(vectors)
    from sklearn.manifold import TSNE
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):  # on a busy machine, more OpenMP threads make t-SNE up to 10x slower
        return TSNE(n_components=dims, perplexity=30, max_iter=500, init="pca", random_state=seed).fit_transform(
            vectors
        )


# ---------------------------------------------------------------- default weights
def _trainer(world_name: str, strength: float | None):
    def train(progress: Progress) -> checkpoints.Trained:
        data = training_data(world_name)
        if strength is None:
            net, losses = train_joint(data, progress=progress)
        else:
            net, losses = train_coordinated(data, strength, progress=progress)
        vocabulary = " ".join(data.dictionary.get_feature_names_out())
        model = Model(net, data.dictionary, strength, {})
        meta = {"final_loss": losses[-1], "parameters": sum(p.numel() for p in net.parameters())}
        if strength is not None:
            test = data.world.indices("test")
            meta |= headline(
                model, data.world, modality_embeddings(model, {m: x[test] for m, x in data.inputs.items()})
            )
        return net.state_dict(), meta | {"vocabulary": vocabulary}

    return train


for _world in worlds.WORLD_NAMES:
    for _strength in (None, *STRENGTHS):
        checkpoints.register(name(_world, _strength), "1", _trainer(_world, _strength))
