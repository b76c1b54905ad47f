"""Downstream benchmarks built from real formal corpora: :mod:`.metamathstep` (MetaMathStep from set.mm).

This layer never imports torch.
"""
