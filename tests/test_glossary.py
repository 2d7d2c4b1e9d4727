"""The Chinese tables use one term per concept, as locales/glossary.toml lists them.

A retired term (联合表达, 瞎猜, 步长…) in any string fails, naming the key; so does mainland vocabulary
(數據, 默認…) in the Traditional table; and where an English string uses a checked concept, the
Simplified string of the same key must use its term.
"""

import re
import tomllib

import pytest

from components import i18n

GLOSSARY_PATH = i18n.LOCALES / "glossary.toml"
with GLOSSARY_PATH.open("rb") as f:
    GLOSSARY = tomllib.load(f)
CONCEPTS = {name: row for name, row in GLOSSARY.items() if "zh-Hans" in row}


def allowed_contexts(row, language):
    """The contexts in which a retired term may still appear (quoting another wording), per language."""
    contexts = row.get("allow", [])
    return [i18n.to_traditional(c) for c in contexts] if language == "zh-Hant" else contexts


def retired_rules(language):
    """(concept, compiled pattern, what to call it, allowed contexts) for every retired term of a language."""
    suffix = "-Hant" if language == "zh-Hant" else ""
    rules = []
    for name, row in GLOSSARY.items():
        allow = allowed_contexts(row, language)
        for term in row.get(f"retired{suffix}", []):
            rules.append((name, re.compile(re.escape(term)), term, allow))
        for pattern in row.get(f"retired{suffix}-patterns", []):
            rules.append((name, re.compile(pattern), f"/{pattern}/", allow))
    return rules


@pytest.mark.parametrize("language", ["zh-Hans", "zh-Hant"])
def test_no_retired_term_in_any_string(language):
    found, allowed_uses = [], 0
    for key, text in i18n.table(language).items():
        for name, pattern, term, allow in retired_rules(language):
            rest = text
            for context in allow:
                allowed_uses += rest.count(context) if pattern.search(context) else 0
                rest = rest.replace(context, "")
            for match in pattern.finditer(rest):
                start = max(0, match.start() - 8)
                found.append(f"{key}: {term} ({name}) in “…{rest[start : match.end() + 8]}…”")
    assert not found, "retired terms:\n" + "\n".join(found)
    assert allowed_uses <= sum(len(row.get("allow", [])) for row in GLOSSARY.values()), (
        "a quoted older wording may appear once in the whole app"
    )


@pytest.mark.parametrize("name", sorted(CONCEPTS))
def test_traditional_term_is_the_converted_simplified_term(name):
    row = CONCEPTS[name]
    assert row["zh-Hant"] == i18n.to_traditional(row["zh-Hans"]), name
    for term in row.get("retired", []):  # a retired zh-Hans term must stay retired once converted
        assert i18n.to_traditional(term) not in i18n.to_traditional(row["zh-Hans"]), (name, term)


def test_every_concept_is_covered():
    needed = {
        "multimodal",
        "modality",
        "unimodal",
        "representation",
        "joint_representation",
        "coordinated_representation",
        "translation",
        "alignment",
        "explicit_alignment",
        "implicit_alignment",
        "fusion",
        "early_fusion",
        "late_fusion",
        "co_learning",
        "synergy",
        "redundancy",
        "uniqueness",
        "chance_level",
        "hop_length",
        "window_length",
        "sakoe_chiba_band_radius",
        "caption",
        "joint_head",
        "spectrogram",
        "one_hot",
        "bag_of_words",
        "out_of_vocabulary",
        "maximum_entropy_model",
        "nearest_neighbour",
        "training_set",
        "validation_set",
        "test_set",
        "inference",
        "model_parameters",
        "zero_shot",
        "distillation",
        "pseudo_label",
    }
    assert needed <= set(CONCEPTS), needed - set(CONCEPTS)
    assert {"數據", "信息", "服務器", "內存", "默認", "視頻", "概率", "隻有", "復現", "纔"} <= set(
        GLOSSARY["regional"]["retired-Hant"]
    )
    assert {"瞎猜", "步长", "窗口长度"} <= {t for row in CONCEPTS.values() for t in row.get("retired", [])}


PLACEHOLDER = re.compile(r"\{[^{}]*\}")  # {caption}, {modality}: filled in, not the word itself


def english_forms(row):
    forms = row.get("en-forms", [re.escape(row["en"])])
    return re.compile(r"(?<![\w-])(?:" + "|".join(forms) + r")(?![\w-])", re.IGNORECASE)


@pytest.mark.parametrize("name", sorted(n for n, row in CONCEPTS.items() if row.get("checked")))
def test_checked_concept_is_translated_with_its_term(name):
    row = CONCEPTS[name]
    english, simplified = i18n.table("en"), i18n.table("zh-Hans")
    pattern, terms = english_forms(row), [row["zh-Hans"], *row.get("also", [])]
    missing = [
        key
        for key, text in english.items()
        if key in simplified
        and pattern.search(PLACEHOLDER.sub("", text))
        and not any(t in simplified[key] for t in terms)
    ]
    assert not missing, f"{name}: English uses “{row['en']}”, the Chinese lacks {'/'.join(terms)} in {missing}"
