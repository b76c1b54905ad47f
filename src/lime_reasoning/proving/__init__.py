"""Proving theorems: best-first search guided by a step proposer, proofs assembled and verified.

Only :mod:`lime_reasoning.proving.model_proposer` imports torch.
"""
