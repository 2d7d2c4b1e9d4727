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
    assert i18n.to_traditional("协调表示与联合表示") == "協調表示與聯合表示"  # not 錶 (a watch)
    assert i18n.to_traditional("多模态的数据表示") == "多模態的資料表示"
    assert i18n.to_traditional("数据") == "資料" and i18n.to_traditional("默认") == "預設"
    assert i18n.to_traditional("服务器的内存") == "伺服器的記憶體"
    assert i18n.to_traditional("视频和概率") == "影片和機率"
    assert i18n.to_traditional("最多只有一个") == "最多只有一個"  # not 隻有
    assert i18n.to_traditional("学习复现它的概率") == "學習重現它的機率"
    assert i18n.to_traditional("训练样本里") == "訓練樣本裡"
    assert i18n.to_traditional("欧几里得距离") == "歐幾里得距離"
    assert i18n.to_traditional("模型参数与窗口") == "模型參數與窗口"  # s2tw, not s2twp's 引數 / 視窗
    assert i18n.translate("common.nav.fusion", "zh-Hant") == "融合"
    assert i18n.translate("common.nav.colearning", "zh-Hant") == "協同學習"


def test_missing_key_is_visible_not_fatal():
    assert i18n.translate("nope.missing", "en") == "⟦nope.missing⟧"


def test_chinese_tables_are_chinese():
    han = re.compile(r"[\u4e00-\u9fff]")
    simplified = i18n.table("zh-Hans")
    assert sum(bool(han.search(v)) for v in simplified.values()) > 0.8 * len(simplified)


def test_a_list_in_a_sentence_uses_the_languages_own_comma(monkeypatch):
    """Chinese enumerates with 、 ("红、蓝"), English with a comma; a Latin comma in a Chinese list reads wrong."""
    for language, expected in (("en", "red, blue"), ("zh-Hans", "red、blue"), ("zh-Hant", "red、blue")):
        monkeypatch.setattr(i18n, "current_language", lambda language=language: language)
        assert i18n.join(["red", "blue"]) == expected
