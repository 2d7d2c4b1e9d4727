"""The neural-network basics lesson. basics.py: one linear neuron per class over the pixels, gradient descent
one epoch at a time, and depth on a 2-D plane. drilldown.py: one neuron's score, opened up."""
