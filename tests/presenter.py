"""The lecturer's Next, for AppTest tests of presenter mode."""

from components import i18n


def press_next(at, language: str = "en") -> None:
    """Press Next; on a step asked as a question (components/predict.py) press its reveal button too,
    as the lecturer does, so the step's controls are set."""
    next(b for b in at.button if b.label == i18n.translate("common.next", language)).click().run()
    reveal = [b for b in at.button if b.label == i18n.translate("predict.reveal", language)]
    if reveal:
        reveal[0].click().run()
