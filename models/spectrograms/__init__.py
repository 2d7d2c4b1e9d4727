"""The spectrograms lesson. analysis.py: its sounds, one analysis of a sound (spectrogram, mel, MFCC), and
what a classifier is given. drilldown.py: one mel filter bank row, opened up."""
