"""The model side: word-level vocabulary, model presets, construction and vocabulary transfer.

Modules here import torch, transformers and tokenizers; import them only where a command needs them.
"""
