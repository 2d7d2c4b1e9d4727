"""Spectrograms: how a long waveform becomes the time-frequency picture that audio models read."""

import numpy as np
import streamlit as st

from components import drilldown_views, figures, i18n, predict, pretrained, state, ui
from components.cache import spectrograms as cache
from components.controls.spectrograms import CONTROL
from components.i18n import label, t, translate
from models.core import audio, worlds
from models.spectrograms import analysis as sp

PAGE = "spectrograms"
key, value, step = state.by_name(PAGE, CONTROL)
TICKS_KHZ = {"log": (0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8), "mel": (0, 0.5, 1, 2, 4, 8)}
PERSIST = {"persist_state": "page"}  # for widgets drawn only for some sources or views


def class_name(value: str) -> str:
    """A shape, colour or size in the visitor's language, for format_func (see `tp`)."""
    return translate(f"classes.{value}", conf.language)


STORY = {"scale": "linear", "mfcc": False, "n_fft": 256, "hop": 4, "window": "hann", "view": "resolution"}
STEPS = [  # each step sets everything it relies on, so the steps work in any order
    step("step_square", "spectrograms_main", **STORY, source="shape", shape="square", colour="red", size="small"),
    step(
        "step_sine",
        "spectrograms_main",
        ("one", "few", "many"),
        **STORY,
        source="shape",
        shape="circle",
        colour="red",
        size="small",
    ),
    step("step_tradeoff", "spectrograms_resolution", ("short", "long", "same"), **STORY, source="dtmf", digit=5),
    step(
        "step_speech",
        "spectrograms_bands",
        **{**STORY, "scale": "mel", "view": "bands"},
        source="speech",
        clip="sea_shells_en",
    ),
    step(
        "step_model",
        "spectrograms_model_input",
        ("sure", "unsure", "refuses"),
        **{**STORY, "scale": "mel", "view": "model"},
        source="speech",
        clip="red_circle_en",
    ),
]
conf = ui.page_start(PAGE, STEPS)
tp = i18n.scoped(PAGE, conf.language)  # this run's language: it also serves format_func
for control in CONTROL.values():
    control.bind()


def clamp(name: str, low: float, high: float) -> None:
    """Keep a slider's value inside limits that depend on the sound (its length, its Nyquist frequency)."""
    st.session_state[key(name)] = float(min(max(value(name), low), high))


def sound_label(source_id: str) -> str:
    kind, *detail = source_id.split(":")
    if kind == "shape":
        return " · ".join(class_name(d) for d in detail)
    if kind == "dtmf":
        return tp("key_n", digit=detail[0])
    clip = sp.speech_clips()[detail[0]]
    return f"“{clip.text}” ({tp('lang_' + clip.language)})"


def load(source_id: str) -> tuple[np.ndarray, int]:
    kind, *detail = source_id.split(":")
    return (cache.speech_clip(detail[0]), sp.SPEECH_RATE) if kind == "speech" else sp.sound(source_id)


def pick_sound(kind: str) -> tuple[np.ndarray | None, int]:
    if kind == "shape":
        columns = st.columns(3)
        for column, name in zip(columns, ("shape", "colour", "size")):
            column.selectbox(
                t(f"common.attr.{name}"), CONTROL[name].options, format_func=class_name, key=key(name), **PERSIST
            )
        return load(f"shape:{value('shape')}:{value('colour')}:{value('size')}")
    if kind == "dtmf":
        st.selectbox(tp("digit"), CONTROL["digit"].options, key=key("digit"), **PERSIST)
        return load(f"dtmf:{value('digit')}")
    if kind == "speech":
        st.selectbox(
            tp("clip"),
            CONTROL["clip"].options,
            format_func=lambda c: sound_label(f"speech:{c}"),
            key=key("clip"),
            **PERSIST,
        )
        return load(f"speech:{value('clip')}")
    from components import safe_input  # imports scipy.signal: only when someone brings a sound

    return safe_input.audio_upload(tp("upload"), key("upload"), target_sr=sp.SPEECH_RATE), sp.SPEECH_RATE


def frequency_axis(scale: str, low_hz: float, high_hz: float) -> dict:
    """A log or mel-spaced axis labelled at a few round kHz values (plotly's own log ticks crowd)."""
    khz = np.array([k for k in TICKS_KHZ[scale] if low_hz <= k * 1000 <= high_hz * 1.01])
    ticks = audio.hz_to_mel(khz * 1000) if scale == "mel" else khz
    return {"type": "log" if scale == "log" else None, "tickvals": ticks, "ticktext": [f"{k:g}" for k in khz]}


def spectrogram_figure(specs: list[sp.Spectrogram], titles: list[str], marks: tuple = (), height: int = 330):
    """Spectrograms side by side on one dB colour scale, the frequency axis drawn as their scale says:
    kHz, log-spaced kHz, or mel-spaced with kHz labels."""
    drawn = [sp.for_drawing(spec) for spec in specs]
    scale = specs[0].scale
    rows = [audio.hz_to_mel(d.rows_hz) if scale == "mel" else d.rows_hz / 1000 for d in drawn]
    low, high = min(s.rows_hz[0] for s in specs), max(s.rows_hz[-1] for s in specs)
    return figures.heatmap_row(
        [(d.db, d.times, y, title) for d, y, title in zip(drawn, rows, titles)],
        t("common.time_s"),
        tp(f"axis_{scale}"),
        "dB",
        zmin=float(min(s.db.min() for s in specs)),
        zmax=0.0,
        yaxis=frequency_axis(scale, low, high) if scale != "linear" else None,
        hovertemplate=tp(f"hover_{scale}") + "<extra></extra>",
        marks=marks,
        height=height,
    )


def source_row() -> tuple[np.ndarray | None, int]:
    st.radio(
        tp("source"),
        CONTROL["source"].options,
        format_func=lambda k: tp(f"source_{k}"),
        key=key("source"),
        horizontal=True,
    )
    picker, player = st.columns([3, 2], vertical_alignment="bottom")
    with picker:
        y, sr = pick_sound(value("source"))
    if y is None:
        st.info(tp("upload_hint"))
    else:
        with player:
            st.audio(np.asarray(y), sample_rate=sr)
            st.caption(tp("sound_facts", seconds=len(y) / sr, rate=sr, n=len(y)))
    return y, sr


def windows_section(y: np.ndarray, sr: int) -> tuple[np.ndarray, int, int, int]:
    """Step 1: the waveform, the window cut out of it, and that window's spectrum."""
    st.subheader(tp("step1_title"))
    duration = len(y) / sr
    clamp("start", 0.0, max(0.01, np.floor(duration * 100) / 100))
    c1, c2, c3, c4 = st.columns(4)
    c1.select_slider(tp("n_fft"), CONTROL["n_fft"].options, key=key("n_fft"))
    c2.select_slider(tp("hop"), CONTROL["hop"].options, format_func=lambda d: tp(f"hop_{d}"), key=key("hop"))
    c3.selectbox(tp("window"), CONTROL["window"].options, format_func=lambda w: tp(f"window_{w}"), key=key("window"))
    c4.slider(tp("start"), 0.0, max(0.01, np.floor(duration * 100) / 100), step=0.01, key=key("start"))
    n_fft, window = value("n_fft"), value("window")
    hop = sp.hop_length(n_fft, value("hop"))
    power = sp.power(y, n_fft, hop, window)
    index = sp.frame_index(value("start"), sr, hop, power.shape[1])
    start_s, res = index * hop / sr, sp.resolution(sr, n_fft, hop)

    frame, taper = sp.windowed_frame(y, n_fft, hop, index, window)
    peak, frame_peak = float(np.abs(y).max()) or 1.0, float(np.abs(frame).max()) or 1.0
    spectrum = sp.frame_spectrum_db(power, index, value("top_db"))
    khz = audio.frequencies(sr, n_fft) / 1000
    in_window = np.arange(n_fft) / sr
    fig = figures.line_row(
        [
            figures.LinePanel(
                tp("waveform_title"),
                {
                    tp("waveform"): figures.waveform_points(y, sr),
                    tp("taper"): (start_s + in_window, taper * peak),
                },
                t("common.time_s"),
                t("common.amplitude"),
                shade=(start_s, start_s + n_fft / sr),
            ),
            figures.LinePanel(
                tp("window_title"),
                {
                    tp("frame"): (in_window * 1000, frame),
                    tp("taper"): (in_window * 1000, taper * frame_peak),
                    tp("tapered"): (in_window * 1000, frame * taper),
                },
                tp("time_ms"),
                t("common.amplitude"),
                legend=True,
            ),
            figures.LinePanel(
                tp("spectrum_title"),
                {tp("this_window"): (khz, spectrum)},
                t("common.frequency_khz"),
                tp("db"),
                xaxis=frequency_axis("log", sr / n_fft, sr / 2) if value("scale") == "log" else None,
            ),
        ],
        height=320,
    )
    ui.chart(
        fig,
        "  \n".join(
            [
                tp("waveform_summary", index=index + 1, frames=power.shape[1], start=start_s, **res),
                tp("spectrum_summary", freq=khz[int(np.argmax(spectrum))], **res),
            ]
        ),
        key="spectrograms_frames",
        widths=(1.5, 1.2, 1.3),
    )
    return power, n_fft, hop, index


def spectrogram_section(power: np.ndarray, sr: int, n_fft: int, hop: int, index: int) -> None:
    """Step 2: all the spectra side by side, on the frequency axis and dB range chosen."""
    st.subheader(tp("step2_title"))
    c1, c2, c3, c4 = st.columns([1.6, 1, 1, 0.8], vertical_alignment="bottom")
    c1.radio(
        tp("scale"), CONTROL["scale"].options, format_func=lambda s: tp(f"scale_{s}"), key=key("scale"), horizontal=True
    )
    if value("scale") == "mel" or value("mfcc"):  # only the mel axis and the MFCCs have bands
        c2.slider(tp("n_mels"), **CONTROL["n_mels"].limits(), **PERSIST)
    c3.slider(tp("top_db"), **CONTROL["top_db"].limits())
    c4.toggle(tp("mfcc"), key=key("mfcc"))
    n_mels, top_db = value("n_mels"), value("top_db")
    spec = sp.analyse(power, sr, n_fft, hop, value("scale"), n_mels, top_db)
    fig = spectrogram_figure(
        [spec], [tp("spectrogram_title", scale=tp(f"scale_{spec.scale}"))], marks=(spec.times[index],), height=360
    )
    ui.chart(
        fig,
        tp(
            "spectrogram_summary",
            rows=spec.db.shape[0],
            frames=spec.db.shape[1],
            cells=spec.db.size,
            **sp.loudest(spec),
        ),
        key="spectrograms_main",
    )
    if spec.empty_rows:
        st.info(tp("empty_mels", empty=spec.empty_rows, n_mels=n_mels))
    if spec.scale == "mel":
        drilldown_views.mel_row(key("look_mel"), power, sr, n_fft, n_mels, top_db, index)
    if value("mfcc"):
        coefficients, rebuilt = sp.mfccs(power, sr, n_fft, n_mels, top_db)
        left, right = st.columns(2)
        with left:
            fig = figures.heatmap(
                coefficients,
                tp("mfcc_title", n=len(coefficients)),
                x=spec.times,
                xlabel=t("common.time_s"),
                ylabel=tp("mfcc_axis"),
                diverging=True,
                height=280,
            )
            limit = float(np.abs(coefficients[1:]).max()) or 1.0  # coefficient 0 (loudness) would dwarf the rest
            fig.update_traces(zmin=-limit, zmax=limit)
            ui.chart(fig, tp("mfcc_summary", n=len(coefficients), n_mels=n_mels), key="spectrograms_mfcc")
        with right:
            mel = sp.Spectrogram(rebuilt, spec.times, audio.mel_band_centres(sr, n_mels), "mel", 0)
            ui.chart(
                spectrogram_figure([mel], [tp("mfcc_rebuilt_title")], height=280),
                tp("mfcc_rebuilt_summary", **sp.loudest(mel)),
                key="spectrograms_mfcc_rebuilt",
            )
        ui.explain(key("mfcc_text"))


def analysed(y: np.ndarray, sr: int, n_fft: int, fraction: int) -> sp.Spectrogram:
    """The spectrogram with the page's window, axis and dB settings but a window length of its own."""
    return sp.spectrogram(
        y, sr, n_fft, sp.hop_length(n_fft, fraction), value("window"), value("scale"), value("n_mels"), value("top_db")
    )


def resolution_view(y: np.ndarray, sr: int) -> None:
    ui.explain(key("tradeoff_text"))
    specs, titles, summaries = [], [], []
    for n_fft, name in ((sp.SHORT_WINDOW, "short"), (sp.LONG_WINDOW, "long")):
        res = sp.resolution(sr, n_fft, n_fft // 4)
        specs.append(analysed(y, sr, n_fft, 4))
        titles.append(tp(f"{name}_title", n=n_fft, **res))
        summaries.append(tp("tradeoff_summary", title=titles[-1], **res, **sp.loudest(specs[-1])))
    ui.chart(spectrogram_figure(specs, titles, height=320), "  \n".join(summaries), key="spectrograms_resolution")


def bands_view(power: np.ndarray, sr: int, n_fft: int, hop: int) -> None:
    ui.explain(key("bands_text"))
    nyquist = sr / 2000
    clamp("low_band", 0.1, nyquist - 0.1)
    clamp("high_band", 0.1, nyquist - 0.1)
    left, right = st.columns(2)
    left.slider(tp("low_band"), 0.1, nyquist - 0.1, step=0.1, key=key("low_band"), **PERSIST)
    right.slider(tp("high_band"), 0.1, nyquist - 0.1, step=0.1, key=key("high_band"), **PERSIST)
    low, high = value("low_band"), value("high_band")
    levels = sp.band_levels(power, sr, n_fft, [(0.0, low * 1000), (high * 1000, sr / 2 + 1)], value("top_db"))
    times = audio.frame_centres(power.shape[1], sr, n_fft, hop)
    names = tp("band_low_name", high=low), tp("band_high_name", low=high, nyquist=nyquist)
    fig = figures.lines(times, dict(zip(names, levels)), tp("bands_title"), t("common.time_s"), tp("db"), markers=False)
    share = 100.0 * float(np.mean(levels[0] > levels[1]))
    ui.chart(fig, tp("bands_summary", share=share, time=times[int(np.argmax(levels[1]))]), key="spectrograms_bands")


def compare_view(y: np.ndarray, sr: int) -> None:
    st.selectbox(tp("other"), CONTROL["other"].options, format_func=sound_label, key=key("other"), **PERSIST)
    other, other_sr = load(value("other"))
    rate = max(sr, other_sr)
    sounds = ((y, sr, tp("compare_this")), (other, other_sr, sound_label(value("other"))))
    specs = []
    for column, (samples, samples_sr, _) in zip(st.columns(2), sounds):
        column.audio(np.asarray(samples), sample_rate=samples_sr)
        specs.append(analysed(sp.resample(samples, samples_sr, rate), rate, value("n_fft"), value("hop")))
    titles = [title for *_, title in sounds]
    summary = "  \n".join(tp("compare_summary", sound=title, **sp.loudest(spec)) for spec, title in zip(specs, titles))
    ui.chart(spectrogram_figure(specs, titles, height=320), summary, key="spectrograms_compare")
    if sr != other_sr:
        st.caption(tp("compare_rate", rate=rate, nyquist=min(sr, other_sr) / 2000))


def model_view(y: np.ndarray, sr: int, kind: str) -> None:
    from models.core import features

    world_name = sp.model_world(kind, conf.world)
    model, meta = cache.sound_model(world_name)
    heard = sp.hear(model, y, sr)
    mels, frames = heard.image.shape
    classes = worlds.MAIN_CLASSES[world_name]
    best = int(np.argmax(heard.probabilities))
    st.markdown(
        tp(
            "model_prep",
            rate=sr,
            start=heard.start_s,
            end=heard.start_s + worlds.SOUND_SECONDS,
            n_fft=features.N_FFT,
            hop=features.HOP,
            mels=mels,
        )
    )
    left, right = st.columns([1.4, 1])
    with left:
        times = audio.frame_centres(frames, sp.MODEL_RATE, features.N_FFT, features.HOP)
        fig = figures.heatmap(
            heard.image,
            tp("model_input_title", mels=mels, frames=frames),
            x=times,
            xlabel=t("common.time_s"),
            ylabel=tp("mel_band"),
            colorbar="0–1",
            height=260,
            zmin=0.0,
            zmax=1.0,
        )
        ui.chart(
            fig,
            tp("model_input_summary", mels=mels, frames=frames, n=heard.vector.size),
            key="spectrograms_model_input",
        )
        fig = figures.vector_strip(
            heard.vector, tp("vector_title", n=heard.vector.size), zmin=0.0, zmax=1.0, height=130
        )
        ui.chart(fig, tp("vector_summary", frames=frames), key="spectrograms_vector")
    with right:
        fig = figures.probability_bars(
            heard.probabilities,
            [label(c) for c in classes],
            tp("prediction_title"),
            xlabel=t("common.probability"),
            height=260,
        )
        ui.chart(
            fig,
            tp("prediction_summary", label=label(classes[best]), p=heard.probabilities[best]),
            key="spectrograms_prediction",
        )
        st.markdown(
            tp(
                "model_facts",
                world=t(f"common.world_{world_name}"),
                parameters=meta["parameters"],
                accuracy=meta["test_accuracy"],
            )
        )
        if kind in ("speech", "upload"):
            st.warning(tp("model_ood", world=t(f"common.world_{world_name}")))
    ui.explain(key("model_text"))


def pretrained_view(y: np.ndarray, sr: int) -> None:
    """Step 4, in Pretrained mode only: AST's AudioSet tags for this sound, and the spectrogram it
    reads instead of ours, always made with the recipe it was trained with."""
    loaded = pretrained.section(tp("step4_title"), "audio")
    if loaded is None:
        return
    recipe = loaded.processor  # the feature extractor
    left, right = st.columns([1.4, 1])
    with right:
        heard = pretrained.audio_tags(loaded, y, sr, key="spectrograms_ast_tags")
    if heard is None:
        return
    with left:
        bank = heard.values[: heard.heard].T  # (mel bins, frames), without the padding
        drawn, starts = audio.shrink(bank, 1, sp.MAX_DRAWN[1])
        times = starts / 100  # AST's frames are 10 ms apart
        bins, frames = bank.shape
        fig = figures.heatmap(
            drawn,
            tp("ast_input_title", bins=bins, frames=frames),
            x=times,
            xlabel=t("common.time_s"),
            ylabel=tp("ast_axis"),
            colorbar=tp("ast_colorbar"),
            height=300,
        )
        time, row, _ = figures.strongest_cell(drawn, x=times)
        ui.chart(
            fig,
            tp("ast_input_summary", bins=bins, frames=frames, n=bank.size, bin=row, time=time),
            key="spectrograms_ast_input",
        )
    st.markdown(
        tp(
            "ast_recipe",
            sr=sr,
            rate=recipe.sampling_rate,
            bins=recipe.num_mel_bins,
            frames=recipe.max_length,
            seconds=recipe.max_length / 100,
        )
    )
    if sr < recipe.sampling_rate:
        st.caption(tp("ast_upsampled", nyquist=sr / 2000))


def peaks(y: np.ndarray, sr: int, n_fft: int, floor_db: float = 30.0) -> np.ndarray:
    """The frequencies (Hz) of the lines of a sound's time-averaged spectrum: local maxima within
    `floor_db` of the loudest, through a Hann window of `n_fft` samples."""
    db = 10.0 * np.log10(np.maximum(sp.power(y, n_fft, n_fft // 4, "hann").mean(1), 1e-12))
    inner = db[1:-1]
    found = (inner > db[:-2]) & (inner >= db[2:]) & (inner > db.max() - floor_db)
    return (np.flatnonzero(found) + 1) * sr / n_fft


def answer(step: int, y: np.ndarray, sr: int) -> tuple[str, dict]:
    """The right choice of step `step`'s question, measured on the sound on screen."""
    name = STEPS[step].caption_key.removeprefix(key("step_"))
    if name == "sine":
        lines = peaks(y, sr, value("n_fft"))
        where = ", ".join(f"{f:.0f}" for f in lines[:6])
        return ("one" if len(lines) == 1 else "few" if len(lines) <= 4 else "many"), {"n": len(lines), "where": where}
    if name == "tradeoff":
        row, col = worlds.DTMF_KEY[int(value("digit"))]
        tones = np.array([worlds.DTMF_ROWS[row], worlds.DTMF_COLS[col]])
        error = {}
        for which, n_fft in (("short", sp.SHORT_WINDOW), ("long", sp.LONG_WINDOW)):
            lines = peaks(y, sr, n_fft)
            error[which] = float(max(np.abs(lines - tone).min() for tone in tones)) if len(lines) else float("inf")
        short, long = (sp.resolution(sr, n, n // 4) for n in (sp.SHORT_WINDOW, sp.LONG_WINDOW))
        numbers = {**error, "short_bin": short["bin_hz"], "long_bin": long["bin_hz"]}
        numbers |= {"short_ms": short["window_ms"], "long_ms": long["window_ms"]}
        closer = "same" if abs(error["short"] - error["long"]) < 1 else min(error, key=error.get)
        return closer, numbers
    world_name = sp.model_world(value("source"), conf.world)
    heard = sp.hear(cache.sound_model(world_name)[0], y, sr)
    best = int(np.argmax(heard.probabilities))
    p = float(heard.probabilities[best])
    numbers = {"label": label(worlds.MAIN_CLASSES[world_name][best]), "p": p}
    return ("sure" if p > 0.5 else "unsure"), numbers


ui.step_buttons(PAGE, STEPS)
quiz = predict.ask(PAGE, STEPS)
y, sr = source_row()
if y is not None:
    power, n_fft, hop, index = windows_section(y, sr)
    spectrogram_section(power, sr, n_fft, hop, index)
    st.subheader(tp("step3_title"))
    st.radio(
        tp("view"), CONTROL["view"].options, format_func=lambda v: tp(f"view_{v}"), key=key("view"), horizontal=True
    )
    view = value("view")
    if view == "resolution":
        resolution_view(y, sr)
    elif view == "bands":
        bands_view(power, sr, n_fft, hop)
    elif view == "compare":
        compare_view(y, sr)
    else:
        model_view(y, sr, value("source"))
    quiz.reveal(lambda step: answer(step, y, sr))
    pretrained_view(y, sr)
ui.explain(key("detail"))
ui.page_end()
