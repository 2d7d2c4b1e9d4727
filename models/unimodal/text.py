"""Text for a classic classifier: a dictionary, one-hot words, a bag of words, and what the weights say.

The dictionary holds every distinct word of the training texts; a word's one-hot vector is as long
as the dictionary, with a single 1 at the word's index. A word the dictionary never saw (out of
vocabulary) has no index at all, so its vector is all zeros: the model cannot see it. A sentence's
bag of words marks which dictionary words occur in it, forgetting their order.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from models.core import features
from models.unimodal.classic import Dataset, class_weights, text_dataset

SENTIMENT_FILE = Path(__file__).resolve().parents[2] / "assets" / "unimodal" / "sentiment.tsv"
SENTIMENT_CLASSES = ("negative", "positive")
SENTIMENT = "sentiment"  # the task name next to the world's attributes
# Typed examples a visitor can try with one click: the classic case, and the two ways bag of words fails.
# The two negations differ in one word: a linear model adds the same weight of "not" to both, so if
# "good" weighs more than "bad" (it does), "not good" always scores more positive than "not bad" and
# the model can never get both right, although "not" is in its dictionary (the training set has
# negated sentences of both kinds).
SENTIMENT_EXAMPLES = {
    "positive": "the film was great and the actors were excellent",
    "negative": "the food was awful and the waiter was rude",
    "negation": "the film was not bad",
    "negation_good": "the film was not good",
    "unknown": "a superb and marvellous meal",
}


def sentiment_sentences() -> tuple[list[str], np.ndarray]:
    """The shipped sentences and their labels (0 negative, 1 positive)."""
    texts, labels = [], []
    for line in SENTIMENT_FILE.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            label, text = line.split("\t")
            texts.append(text)
            labels.append(SENTIMENT_CLASSES.index(label))
    return texts, np.array(labels, dtype=np.int64)


def stratified_split(y: np.ndarray, seed: int, fractions: tuple[float, float] = (0.6, 0.2)) -> np.ndarray:
    """(N,) 0/1/2 with every class split in the same proportions, shuffled by `seed`."""
    rng = np.random.default_rng(seed)
    split = np.full(len(y), 2, dtype=np.int8)
    for label in np.unique(y):
        rows = rng.permutation(np.flatnonzero(y == label))
        cut1 = int(round(fractions[0] * len(rows)))
        cut2 = cut1 + int(round(fractions[1] * len(rows)))
        split[rows[:cut1]], split[rows[cut1:cut2]] = 0, 1
    return split


def sentiment_dataset(seed: int = 0) -> Dataset:
    texts, y = sentiment_sentences()
    return text_dataset(texts, y, stratified_split(y, seed), SENTIMENT_CLASSES)


def words(dictionary, text: str) -> list[str]:
    """The words of `text` as the dictionary cuts them (lower case, letters only)."""
    return dictionary.build_analyzer()(text)


def vocabulary(dictionary) -> list[str]:
    """The dictionary's words in index order: entry i of every vector is word i."""
    return list(dictionary.get_feature_names_out())


def one_hot(dictionary, text: str) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Each word of `text` as its one-hot vector: (words, (W, V) matrix, (W,) out-of-vocabulary flags)."""
    found = words(dictionary, text)
    matrix = np.zeros((len(found), len(dictionary.vocabulary_)), dtype=np.float32)
    unknown = np.zeros(len(found), dtype=bool)
    for row, word in enumerate(found):
        column = dictionary.vocabulary_.get(word)
        if column is None:
            unknown[row] = True
        else:
            matrix[row, column] = 1.0
    return found, matrix, unknown


def bag_of_words(dictionary, text: str) -> np.ndarray:
    """(V,) 1 for each dictionary word that occurs in `text`: the rows of `one_hot` OR-ed together."""
    return features.text_vectors(dictionary, [text])[0]


def word_counts(data: Dataset) -> tuple[list[str], np.ndarray]:
    """The dictionary's words with the number of training texts each occurs in, most frequent first."""
    counts = data.x[data.indices("train")].sum(axis=0)
    order = np.argsort(-counts, kind="stable")
    names = vocabulary(data.dictionary)
    return [names[i] for i in order], counts[order]


def top_words(model, dictionary, n: int) -> list[str]:
    """The union of each class's n most strongly pushing words, class by class, for a weight chart."""
    weights = class_weights(model)  # (C, V)
    names = vocabulary(dictionary)
    chosen: list[str] = []
    for row in weights:
        chosen += [names[i] for i in np.argsort(-row, kind="stable")[:n] if names[i] not in chosen]
    return chosen


def weights_of(model, dictionary, chosen: list[str]) -> np.ndarray:
    """(C, len(chosen)) the weight of each listed dictionary word for each class."""
    columns = [dictionary.vocabulary_[w] for w in chosen]
    return class_weights(model)[:, columns]
