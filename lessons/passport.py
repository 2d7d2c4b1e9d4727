"""Passport: one test sample, and what the models of the other pages make of it, on one page."""

import base64
import html
import io

import numpy as np
import streamlit as st
from PIL import Image

from components import dtw_view, figures, i18n, passport, sample, state, ui
from components.cache import alignment as alignment_cache
from components.cache import captioning as captioning_cache
from components.cache import fusion as fusion_cache
from components.cache import representation as representation_cache
from components.cache import shared
from components.cache import unimodal as unimodal_cache
from components.controls.passport import SAMPLE
from components.i18n import label, t
from models import colearning
from models import representation as rep
from models.alignment import explicit as al
from models.captioning import captioners as captioning
from models.core import worlds
from models.fusion import lab as fusion_lab
from models.fusion import strategies as fusion
from models.unimodal import nets as unimodal

PAGE = "passport"
tp = i18n.scoped(PAGE)
NOISY_SOUND = 0.8  # the second column: the sound at the fusion page's noise level 0.8 (its SNR is computed)
NEAREST = 3  # captions listed from the coordinated space

STEPS = [  # for a talk: three test samples, one part of the passport each
    state.Step(f"{PAGE}.step_sample", {SAMPLE: 0}, focus=f"{PAGE}_image"),
    state.Step(f"{PAGE}.step_answers", {SAMPLE: 5}, focus=f"{PAGE}_spec"),
    state.Step(f"{PAGE}.step_nearest", {SAMPLE: 12}),
]
conf = ui.page_start(PAGE, STEPS)
world = shared.world(conf.world, conf.seed)
test = world.indices("test")
position = ui.sample_picker(SAMPLE, len(test), tp("sample", n=len(test)), rows=test)
row = int(test[position])
view = worlds.sample_view(world, row)
if passport.pinned_row() != row:
    st.caption(tp("not_pinned"))
sample.show(view, key=PAGE)


def answers() -> tuple[list[str], list[list[str]]]:
    """Every model of the fusion page on this sample (redundant task, picture and sound), clean and with
    the sound drowned in noise: each one alone, then every way of fusing them."""
    lab = fusion_cache.lab(conf.world, conf.seed, "redundant", "image+sound")
    bank = fusion_cache.bank(conf.world, conf.seed, lab.modalities)
    where = [np.array([position])] * len(lab.modalities)
    classes = [label(c) for c in fusion.class_names(conf.world, "redundant", len(lab.modalities))]
    truth = int(bank.key[position])
    said = {
        name: fusion_lab.predict(lab, fusion_lab.bank_inputs(lab, bank, where, condition))
        for name, condition in (
            ("clean", fusion_lab.Condition()),
            ("noisy", fusion_lab.Condition(levels={"sound": NOISY_SOUND})),
        )
    }

    def verdict(p: np.ndarray) -> str:
        best = int(np.argmax(p))
        return f"{'✓' if best == truth else '✗'} {classes[best]} ({p[best]:.0%})"

    names = {m: t(f"common.modality.{m}") for m in lab.modalities}
    rows = [
        [names.get(s) or t(f"fusion.strategy.{s}.name"), verdict(said["clean"][s][0]), verdict(said["noisy"][s][0])]
        for s in fusion_lab.strategy_order(lab.modalities)
    ]
    header = [tp("col_model"), tp("col_clean"), tp("col_noisy", db=worlds.snr_db(fusion.SOUND_NOISE * NOISY_SOUND))]
    return header, rows


def nearest() -> list[tuple[float, str]]:
    """The captions closest to this picture in the coordinated space of the representation page."""
    vectors = representation_cache.vectors(conf.world, conf.seed, rep.DEFAULT_STRENGTH)
    order, cosine = rep.nearest(vectors["image"][position], vectors["text"], NEAREST)
    return [(float(c), world.captions[test[j]]) for j, c in zip(order, cosine)]


def captions() -> list[list[str]]:
    """Each captioner of the captioning page on this picture (greedy decoding), the words that name
    something the picture does not hold, and CHAIR_i of that one caption (Rohrbach et al. 2018: the share
    of its mentions that are hallucinated)."""
    scene = (world.describe(row),)
    found = captioning_cache.captions(world.images[row], "greedy", 1, 1.0, captioning.DEFAULT_K, conf.seed)
    rows = []
    for name, caption in found.items():
        wrong = [w for w, bad in zip(caption.words, captioning.hallucinated_words(caption.words, scene)) if bad]
        mentions = len(captioning.mentions(caption.words))
        rows.append(
            [
                t(f"captioning.captioner_{name}"),
                f"{'✓' if captioning.is_exact(caption.words, scene) else '✗'} {caption.text}",
                i18n.join(wrong) or "—",
                ui.percent(len(wrong) / mentions if mentions else float("nan"), 0),
            ]
        )
    return rows


def pseudo_label() -> str:
    """What the co-learning page's teacher (the picture model) calls this picture: the label a sound
    model taught by pictures would learn for this sample's sound."""
    teacher = unimodal_cache.net("image", conf.world, unimodal.default_kind("image"))[0]
    p = colearning.teacher_probabilities(teacher, world.images[[row]], 0.0, conf.seed)[0]
    classes = [label(c) for c in worlds.MAIN_CLASSES[conf.world]]
    truth = int(world.labels(worlds.MAIN_ATTRIBUTE[conf.world])[row])
    said = int(np.argmax(p))
    return tp("pseudo", mark="✓" if said == truth else "✗", said=classes[said], p=ui.percent(p[said], 0))


def page_html(tables: list[tuple[str, list[str], list[list[str]]]], close: list[tuple[float, str]], said: str) -> str:
    """The passport as one self-contained HTML file (the picture inlined), to print or keep: each
    (title, header, rows) table, the nearest captions and the pseudo-label."""
    png = io.BytesIO()
    Image.fromarray(figures.enlarged(view.image, 192)).save(png, format="PNG")
    picture = base64.b64encode(png.getvalue()).decode()
    cell = lambda text, tag="td": f"<{tag}>{html.escape(str(text))}</{tag}>"  # noqa: E731
    sections = "".join(
        f"<h2>{html.escape(title)}</h2><table>"
        + "".join(
            ["<tr>" + "".join(cell(h, "th") for h in header) + "</tr>"]
            + ["<tr>" + "".join(cell(c) for c in r) + "</tr>" for r in rows]
        )
        + "</table>"
        for title, header, rows in tables
    )
    attributes = i18n.join(f"{t(f'common.attr.{a}')}: {label(v)}" for a, v in view.attributes.items())
    listed = "".join(f"<li>{cosine:.2f} · {html.escape(text)}</li>" for cosine, text in close)
    return (
        f'<!doctype html><html lang="{conf.language}"><meta charset="utf-8"><title>{html.escape(tp("title"))}</title>'
        "<style>body{font-family:sans-serif;max-width:46em;margin:2em auto}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}img{image-rendering:pixelated}</style>"
        f"<h1>{html.escape(tp('title'))}</h1>"
        f'<p><img src="data:image/png;base64,{picture}" width="192" height="192" alt=""></p>'
        f"<p><b>{html.escape(t('common.caption'))}</b>: {html.escape(view.caption)}</p>"
        f"<p>{html.escape(attributes)} · {html.escape(t('common.world_' + conf.world))}, {row}</p>"
        f"{sections}"
        f"<h2>{html.escape(tp('nearest_title'))}</h2><ol>{listed}</ol>"
        f"<h2>{html.escape(tp('pseudo_title'))}</h2><p>{html.escape(said.replace('**', ''))}</p></html>"
    )


st.subheader(tp("answers_title"))
header, rows = answers()
tables = [(tp("answers_title"), header, rows)]
ui.table(header, rows, "lll")
ui.explain(f"{PAGE}.answers_help")
st.subheader(tp("nearest_title"))
close = nearest()
st.markdown("\n".join(f"1. `{cosine:.2f}` {text}" for cosine, text in close))
ui.explain(f"{PAGE}.nearest_help")
st.subheader(tp("pseudo_title"))
said = pseudo_label()
st.markdown(said)
ui.explain(f"{PAGE}.pseudo_help")
if conf.world == "shapes":  # the captioners and the spoken captions are the Shapes world's
    st.subheader(tp("captions_title"))
    tables.append(
        (
            tp("captions_title"),
            [tp("col_captioner"), tp("col_caption"), tp("col_hallucinated"), tp("col_chair")],
            captions(),
        )
    )
    ui.table(*tables[-1][1:], "lllr")
    ui.explain(f"{PAGE}.captions_help")
    st.subheader(tp("dtw_title"))
    spoken = al.Settings()  # the alignment page's default view
    dtw_view.warping_path(
        alignment_cache.explicit(tuple(al.words_of(view.caption)), spoken, conf.seed), spoken, f"{PAGE}_dtw", 380
    )
    ui.explain(f"{PAGE}.dtw_help")
else:
    st.caption(tp("shapes_only"))
st.download_button(
    tp("download"),
    data=lambda: page_html(tables, close, said),
    file_name=f"passport-{conf.world}-{row}.html",
    mime="text/html",
    key=f"{PAGE}.download",
    on_click="ignore",
    icon=":material/download:",
)
ui.page_end()
