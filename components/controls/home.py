"""The home page's controls (see components/controls/__init__.py)."""

from components.state import Control

SAMPLE = Control("home.sample", 0, low=0, step=1)  # a sample of the world; its count depends on the world
CONTROLS = (SAMPLE,)
