"""The training loop and its parts: data and batching, objective, schedule, checkpoints, DDP, budgets."""
