"""Every language has every key; Traditional Chinese is derived; placeholders agree."""

import re
import string

from components import i18n


def placeholders(text):
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_key_in_every_language():
    english, simplified = i18n.table("en"), i18n.table("zh-Hans")
    assert set(english) == set(simplified), set(english) ^ set(simplified)
    assert set(i18n.table("zh-Hant")) == set(english)


def test_placeholders_agree():
    english, simplified = i18n.table("en"), i18n.table("zh-Hans")
    for key, text in english.items():
        assert placeholders(text) == placeholders(simplified[key]), key


def test_traditional_is_converted_from_simplified_with_course_terms():
    assert i18n.to_traditional("多模态的数据表达") == "多模態的數據表達"
    assert i18n.to_traditional("协调表达与联合表达") == "協調表達與聯合表達"
    assert i18n.translate("common.nav.fusion", "zh-Hant") == "融合"
    assert i18n.translate("common.nav.colearning", "zh-Hant") == "協同學習"


def test_missing_key_is_visible_not_fatal():
    assert i18n.translate("nope.missing", "en") == "⟦nope.missing⟧"


def test_chinese_tables_are_chinese():
    han = re.compile(r"[\u4e00-\u9fff]")
    simplified = i18n.table("zh-Hans")
    assert sum(bool(han.search(v)) for v in simplified.values()) > 0.8 * len(simplified)
