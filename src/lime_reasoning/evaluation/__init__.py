"""Evaluation: batched beam search through ``generate()``, exact match, semantic checkers."""
