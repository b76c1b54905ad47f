"""Synthetic LIME tasks as pure functions of (random generator, batch size, config); never imports torch.

>>> from lime_reasoning import tasks
>>> tasks.names()[:3]
['deduct', 'abduct', 'induct']
"""

from lime_reasoning.tasks.config import IntRange, TaskConfig
from lime_reasoning.tasks.layout import TaskBatch
from lime_reasoning.tasks.mixture import MixedBatch, Mixture
from lime_reasoning.tasks.registry import ALIASES, Task, get, names, register

__all__ = [
    "ALIASES",
    "IntRange",
    "MixedBatch",
    "Mixture",
    "Task",
    "TaskBatch",
    "TaskConfig",
    "get",
    "names",
    "register",
]
