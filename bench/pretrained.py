"""The pretrained model source at full size, offline: memory, load and page times; prints a table.

    python bench/pretrained.py            # writes ~2 GB of stand-ins to a temporary folder

The real checkpoints cannot be downloaded here, so this builds each allowlisted role's real
architecture (the default configs of these `transformers` classes are those models' sizes) with
random weights, saves it where `PLAYGROUND_PRETRAINED_DIR` points, and opens every page view that
uses a pretrained model in Chromium, one after the other, on one server. Random weights cost the
same to load and run as trained ones, so times and memory are real; the answers are not. The
tokenizers are the tests' small ones (tests/tiny_pretrained.py): the models' embedding tables stay
full size, only the ids used are fewer.
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import tiny_pretrained  # noqa: E402
from browser import browser, rss_mb, server, wait_idle  # noqa: E402

BUDGET_MB = 2700  # Community Cloud's memory, for the server with one pretrained model loaded
VIEWS = [  # (role, page, query) in the order a visitor might meet them
    ("image_text", "unimodal", ""),
    ("sentiment", "unimodal", "unimodal.section=text"),
    ("audio", "unimodal", "unimodal.section=sound"),
    ("audio", "spectrograms", ""),
    ("image_text", "representation", ""),
    ("image_text", "alignment", "alignment.view=implicit"),
    ("captioning", "captioning", ""),
]
LOADED = re.compile(r"Pretrained model (\S+): ([\d.,]+ ?M?) parameters, ([\d.,]+) MB in memory, loaded in ([\d.]+) s")


def write_full_size(folder: Path) -> dict[str, tuple[float, float]]:
    """role -> (millions of parameters, MB of weights on disk)."""
    import torch
    from transformers import (
        ASTConfig,
        ASTFeatureExtractor,
        ASTForAudioClassification,
        CLIPConfig,
        CLIPImageProcessor,
        CLIPModel,
        CLIPProcessor,
        DistilBertConfig,
        DistilBertForSequenceClassification,
        GPT2Config,
        VisionEncoderDecoderConfig,
        VisionEncoderDecoderModel,
        ViTConfig,
        ViTImageProcessor,
    )

    torch.manual_seed(0)
    sizes = {}

    def save(role: str, model, *preprocessors) -> None:
        model.save_pretrained(folder / role)
        for part in preprocessors:
            part.save_pretrained(folder / role)
        sizes[role] = (
            sum(p.numel() for p in model.parameters()) / 1e6,
            (folder / role / "model.safetensors").stat().st_size / 2**20,
        )

    clip_tokenizer = tiny_pretrained.clip_tokenizer()
    ids = {
        "bos_token_id": clip_tokenizer.bos_token_id,
        "eos_token_id": clip_tokenizer.eos_token_id,
        "pad_token_id": clip_tokenizer.pad_token_id,
    }
    save(
        "image_text",
        CLIPModel(CLIPConfig(text_config=ids)),
        CLIPProcessor(image_processor=CLIPImageProcessor(), tokenizer=clip_tokenizer),
    )

    gpt2_tokenizer = tiny_pretrained.gpt2_tokenizer()
    end = gpt2_tokenizer.convert_tokens_to_ids(tiny_pretrained.END)
    config = VisionEncoderDecoderConfig.from_encoder_decoder_configs(
        ViTConfig(), GPT2Config(bos_token_id=end, eos_token_id=end, is_decoder=True, add_cross_attention=True)
    )
    config.decoder_start_token_id = config.pad_token_id = config.eos_token_id = end
    save("captioning", VisionEncoderDecoderModel(config), ViTImageProcessor(), gpt2_tokenizer)

    labels = [f"AudioSet class {i}" for i in range(527)]
    save(
        "audio",
        ASTForAudioClassification(
            ASTConfig(id2label=dict(enumerate(labels)), label2id={n: i for i, n in enumerate(labels)})
        ),
        ASTFeatureExtractor(),
    )

    sentiment_labels = {"id2label": {0: "NEGATIVE", 1: "POSITIVE"}, "label2id": {"NEGATIVE": 0, "POSITIVE": 1}}
    save(
        "sentiment",
        DistilBertForSequenceClassification(DistilBertConfig(**sentiment_labels)),
        tiny_pretrained.distilbert_tokenizer(folder / "sentiment"),
    )
    return sizes


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        start = time.perf_counter()
        sizes = write_full_size(folder)
        print(f"wrote full-size stand-ins in {time.perf_counter() - start:.0f} s")
        for role, (parameters, megabytes) in sizes.items():
            print(f"  {role:<11} {parameters:7.1f} M parameters, {megabytes:6.0f} MB of float32 weights on disk")
        print()
        print(f"{'role':<11} {'page':<30} {'page ready':>10} {'load':>7} {'server RSS':>11}")
        peak = 0.0
        with server(env={"PLAYGROUND_PRETRAINED_DIR": str(folder), "HF_HUB_OFFLINE": "1"}) as (url, proc, _):
            with browser() as b:
                for role, page_name, query in VIEWS:
                    page = b.new_page(viewport={"width": 1300, "height": 1000})
                    start = time.perf_counter()
                    page.goto(f"{url}/{page_name}?model_source=pretrained{'&' + query if query else ''}")
                    wait_idle(page, 600000)
                    seconds = time.perf_counter() - start
                    text = page.inner_text("body")
                    found = LOADED.search(text.replace("**", ""))
                    errors = page.locator('[data-testid="stException"]').count()
                    rss = rss_mb(proc.pid)
                    peak = max(peak, rss)
                    where = f"{page_name}{'?' + query if query else ''}"
                    load = f"{float(found.group(4)):.1f} s" if found else "none"
                    print(
                        f"{role:<11} {where:<30} {seconds:9.1f}s {load:>7} {rss:9.0f} MB"
                        f"{'  ERRORS: ' + str(errors) if errors else ''}",
                        flush=True,
                    )
                    page.close()
        print(
            f"\npeak server RSS {peak:.0f} MB; budget {BUDGET_MB} MB (one model in memory at a time): "
            f"{'ok' if peak <= BUDGET_MB else 'OVER'}"
        )


if __name__ == "__main__":
    main()
