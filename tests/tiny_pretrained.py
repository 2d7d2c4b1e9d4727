"""Tiny random-weight stand-ins for the pretrained allowlist, for tests on a machine with no network.

Each role gets a model, processor and tokenizer of the same `transformers` classes as the real one,
built from a small config, with a vocabulary written here, and `save_pretrained()` into
`<folder>/<role>/`: exactly the layout `PLAYGROUND_PRETRAINED_DIR` points the loader at. The weights
are random, so outputs are well-formed but meaningless; every code path still runs for real.

    python -m tests.tiny_pretrained /tmp/tiny   # then PLAYGROUND_PRETRAINED_DIR=/tmp/tiny streamlit run app.py
"""

from __future__ import annotations

import string
import sys
from pathlib import Path

import torch

from models import hub

END = "<|endoftext|>"
START = "<|startoftext|>"
WIDTH = {"hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 37}
IMAGE_SIZE, PATCH_SIZE = 32, 8  # a 4 x 4 grid of patches
AUDIO_LABELS = ("Speech", "Music", "Dog", "Bark", "Siren", "Rain", "Silence")


def byte_alphabet() -> list[str]:
    """GPT-2 and CLIP tokenizers first map every byte to a printable character; a vocabulary holding
    all 256 of them can spell any text, emoji included, one byte at a time."""
    from tokenizers.pre_tokenizers import ByteLevel

    return sorted(ByteLevel.alphabet())


def clip_tokenizer():
    from transformers import CLIPTokenizer

    alphabet = byte_alphabet()
    tokens = (
        alphabet
        + [c + "</w>" for c in alphabet]
        + ["ph", "pho", "phot", "photo</w>", "of</w>", "do", "dog</w>", "ca", "cat</w>", START, END]
    )
    merges = [
        ("p", "h"),
        ("ph", "o"),
        ("pho", "t"),
        ("phot", "o</w>"),
        ("o", "f</w>"),
        ("d", "o"),
        ("do", "g</w>"),
        ("c", "a"),
        ("ca", "t</w>"),
    ]
    return CLIPTokenizer(vocab={t: i for i, t in enumerate(tokens)}, merges=merges)


def gpt2_tokenizer():
    from transformers import GPT2Tokenizer

    tokens = byte_alphabet() + ["Ġa", "Ġd", "Ġdo", "Ġdog", END]
    merges = [("Ġ", "a"), ("Ġ", "d"), ("Ġd", "o"), ("Ġdo", "g")]
    return GPT2Tokenizer(vocab={t: i for i, t in enumerate(tokens)}, merges=merges)


def distilbert_tokenizer(folder: Path):
    """A WordPiece vocabulary of the special tokens, a few words, and every ASCII letter, digit and
    punctuation mark alone and as a ##continuation, so any English text has a spelling."""
    from transformers import DistilBertTokenizer

    pieces = string.ascii_lowercase + string.digits + string.punctuation
    tokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "good", "bad", "movie"]
    tokens += list(pieces) + [f"##{c}" for c in pieces]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vocab.txt").write_text("\n".join(tokens) + "\n", encoding="utf-8")
    return DistilBertTokenizer(vocab=str(folder / "vocab.txt"))


def image_text(folder: Path) -> None:
    from transformers import CLIPConfig, CLIPImageProcessor, CLIPModel, CLIPProcessor

    tokenizer = clip_tokenizer()
    config = CLIPConfig(
        text_config={
            **WIDTH,
            "vocab_size": len(tokenizer),
            "max_position_embeddings": 77,
            "bos_token_id": tokenizer.bos_token_id,
            "eos_token_id": tokenizer.eos_token_id,
            "pad_token_id": tokenizer.pad_token_id,
        },
        vision_config={**WIDTH, "image_size": IMAGE_SIZE, "patch_size": PATCH_SIZE},
        projection_dim=16,
    )
    image_processor = CLIPImageProcessor(
        size={"shortest_edge": IMAGE_SIZE}, crop_size={"height": IMAGE_SIZE, "width": IMAGE_SIZE}
    )
    CLIPModel(config).save_pretrained(folder)
    CLIPProcessor(image_processor=image_processor, tokenizer=tokenizer).save_pretrained(folder)


def captioning(folder: Path) -> None:
    from transformers import (
        GPT2Config,
        VisionEncoderDecoderConfig,
        VisionEncoderDecoderModel,
        ViTConfig,
        ViTImageProcessor,
    )

    tokenizer = gpt2_tokenizer()
    end = tokenizer.convert_tokens_to_ids(END)
    encoder = ViTConfig(**WIDTH, image_size=IMAGE_SIZE, patch_size=PATCH_SIZE)
    decoder = GPT2Config(
        vocab_size=len(tokenizer),
        n_embd=32,
        n_layer=2,
        n_head=4,
        n_positions=64,
        bos_token_id=end,
        eos_token_id=end,
        is_decoder=True,
        add_cross_attention=True,
        tie_word_embeddings=False,
    )
    config = VisionEncoderDecoderConfig.from_encoder_decoder_configs(encoder, decoder)
    config.decoder_start_token_id = config.pad_token_id = config.eos_token_id = end
    VisionEncoderDecoderModel(config).save_pretrained(folder)
    ViTImageProcessor(size={"height": IMAGE_SIZE, "width": IMAGE_SIZE}).save_pretrained(folder)
    tokenizer.save_pretrained(folder)


def audio(folder: Path) -> None:
    from transformers import ASTConfig, ASTFeatureExtractor, ASTForAudioClassification

    frames, mel_bins = 100, 32  # 1 s of 10 ms frames; the real model reads 1024 frames of 128 bins
    config = ASTConfig(
        **WIDTH,
        max_length=frames,
        num_mel_bins=mel_bins,
        patch_size=16,
        frequency_stride=8,
        time_stride=16,
        id2label=dict(enumerate(AUDIO_LABELS)),
        label2id={label: i for i, label in enumerate(AUDIO_LABELS)},
    )
    ASTForAudioClassification(config).save_pretrained(folder)
    ASTFeatureExtractor(num_mel_bins=mel_bins, max_length=frames, sampling_rate=16000).save_pretrained(folder)


def sentiment(folder: Path) -> None:
    from transformers import DistilBertConfig, DistilBertForSequenceClassification

    tokenizer = distilbert_tokenizer(folder)
    config = DistilBertConfig(
        vocab_size=len(tokenizer),
        dim=32,
        n_layers=2,
        n_heads=4,
        hidden_dim=37,
        max_position_embeddings=64,
        id2label={0: "NEGATIVE", 1: "POSITIVE"},
        label2id={"NEGATIVE": 0, "POSITIVE": 1},
    )
    DistilBertForSequenceClassification(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)


BUILDERS = {"image_text": image_text, "captioning": captioning, "audio": audio, "sentiment": sentiment}


def write_all(folder: Path, seed: int = 0) -> Path:
    """Every role of the allowlist under `folder/<role>/`; returns `folder`."""
    assert set(BUILDERS) == set(hub.ALLOWLIST), "a role of the allowlist has no tiny stand-in"
    torch.manual_seed(seed)
    for role, build in BUILDERS.items():
        build(folder / role)
    return folder


if __name__ == "__main__":
    print(write_all(Path(sys.argv[1])))
