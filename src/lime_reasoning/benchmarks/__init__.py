"""Downstream benchmarks: built from real formal corpora (:mod:`.metamathstep`, MetaMathStep from any Metamath
database) or imported from their released files (:mod:`.isarstep`, :mod:`.leanstep`; shared parts in
:mod:`.importing`).

This layer never imports torch.
"""
