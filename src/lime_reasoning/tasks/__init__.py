"""Synthetic LIME tasks: a seeded, compiled (numba) generator for every task; never imports torch.

>>> from lime_reasoning import tasks
>>> tasks.names()[:3]
['deduct', 'abduct', 'induct']
"""

from lime_reasoning.tasks.config import IntRange, TaskConfig
from lime_reasoning.tasks.mixture import Mixture
from lime_reasoning.tasks.registry import ALIASES, Task, get, names

__all__ = [
    "ALIASES",
    "IntRange",
    "Mixture",
    "Task",
    "TaskConfig",
    "get",
    "names",
]
