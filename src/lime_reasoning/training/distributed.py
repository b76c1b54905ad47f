"""One process or many: the torchrun environment, DistributedDataParallel's process group, reductions.

``torchrun`` sets ``RANK``, ``WORLD_SIZE`` and ``LOCAL_RANK``; without them training runs as a single
process with no process group at all. CPU ranks talk over gloo, GPU ranks over NCCL.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import torch
import torch.distributed as dist


@dataclass(frozen=True)
class Dist:
    rank: int
    world: int
    device: torch.device

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def active(self) -> bool:
        return self.world > 1


def init_distributed() -> Dist:
    """Join torchrun's process group when there is one; pick this rank's device."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    if torch.cuda.is_available():
        device = torch.device("cuda", local_rank)
        torch.cuda.set_device(device)
    else:
        device = torch.device("cpu")
    if world > 1 and not dist.is_initialized():
        dist.init_process_group(backend="nccl" if device.type == "cuda" else "gloo")
    return Dist(rank, world, device)


def shutdown(d: Dist) -> None:
    """Leave the process group together: every rank's last collective has completed on both ends before
    any rank tears its connections down (a rank destroying its group while another still finishes an
    operation was seen to hang the other's exit under load)."""
    if d.active and dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()


def all_sum(d: Dist, values: torch.Tensor) -> torch.Tensor:
    """Element-wise sum over ranks (a copy on one process)."""
    if d.active:
        values = values.to(d.device)
        dist.all_reduce(values)
    return values.cpu()


def gather_objects(d: Dist, value: Any) -> list[Any]:
    """Every rank's ``value``, in rank order (on every rank)."""
    if not d.active:
        return [value]
    gathered: list[Any] = [None] * d.world
    dist.all_gather_object(gathered, value)
    return gathered


def barrier(d: Dist) -> None:
    if d.active:
        dist.barrier()
