"""The controlled LIME experiment: pretraining arms, fine-tuning on a benchmark, evaluation, report."""
