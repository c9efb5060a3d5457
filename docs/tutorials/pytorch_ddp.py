"""Tutorial: DistributedDataParallel training with rootbatch (CPU, gloo backend).

Each rank builds the same loader; under an initialised torch.distributed the
dataset reads only its rank's share of every epoch. Shares are disjoint and
yield equally many batches, so no rank waits for another at the end of an
epoch. Add ``num_workers`` to torch's DataLoader and each worker of each rank
reads its own share.

    python docs/tutorials/pytorch_ddp.py --file my.root --ranks 2 --epochs 2

With torchrun instead of the spawning here, call ``train(rank, world, ...)``
after ``dist.init_process_group("nccl")`` and pass ``device=f"cuda:{rank}"``
to ``as_torch``.
"""
import argparse
import os
import socket
import sys

import torch
import torch.distributed as dist
import torch.multiprocessing as mp

import rootbatch
import rootbatch.torch

sys.path.insert(0, os.path.dirname(__file__))
from _sample import ensure_sample  # noqa: E402


def train(rank, world, port, path, epochs, batch_size):
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=world)
    torch.manual_seed(0)
    torch.set_num_threads(1)
    features = [c.name for c in rootbatch.open(path)["events"].columns
                if c.kind == "scalar" and c.dtype == "float32" and c.name != "weight"]
    loader = rootbatch.DataLoader(path, columns=features, target="label", target_type="float32",
                                  batch_size=batch_size, memory="128MB", num_threads=1, seed=7)
    dataset = loader.as_torch()               # shards by rank (and by worker inside a DataLoader)
    batches = rootbatch.torch.data_loader(dataset, num_workers=0)

    model = torch.nn.parallel.DistributedDataParallel(torch.nn.Sequential(
        torch.nn.BatchNorm1d(len(features)), torch.nn.Linear(len(features), 32), torch.nn.ReLU(),
        torch.nn.Linear(32, 1)))
    optimiser = torch.optim.Adam(model.parameters(), lr=3e-3)
    for epoch in range(epochs):
        dataset.set_epoch(epoch)              # like DistributedSampler.set_epoch
        steps = events = 0
        for x, y in batches:
            loss = torch.nn.functional.binary_cross_entropy_with_logits(model(x), y)
            optimiser.zero_grad()
            loss.backward()                   # gradients averaged across ranks
            optimiser.step()
            steps += 1
            events += len(x)
        totals = torch.tensor([steps, events])
        dist.all_reduce(totals)
        if rank == 0:
            print(f"epoch {epoch}: {int(totals[1])} events in {int(totals[0])} steps over {world} ranks "
                  f"({steps} steps each), last loss {loss.item():.4f}", flush=True)
    dist.destroy_process_group()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file")
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--ranks", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=1024)
    args = parser.parse_args(argv)
    path = args.file or ensure_sample("samples/tutorial.root", args.events)
    mp.spawn(train, args=(args.ranks, free_port(), path, args.epochs, args.batch_size), nprocs=args.ranks)


if __name__ == "__main__":
    main()
