"""The passport page's controls (see components/controls/__init__.py)."""

from components.state import Control

SAMPLE = Control("passport.sample", 0, low=0, step=1)  # a test sample; the count depends on the world
CONTROLS = (SAMPLE,)
