"""lime-reasoning: LIME synthetic pretraining data, downstream math benchmarks, training and evaluation."""

__version__ = "0.1.0"
