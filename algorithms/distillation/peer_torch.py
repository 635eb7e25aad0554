#!/usr/bin/env python3
"""The PyTorch CPU peer of the distillation family's `make bench` case: trains the same
ReLU MLP (sizes given), with the same batch, SGD with Nesterov momentum 0.9 and weight
decay 2.2e-4, on the same thread count, on random inputs and labels, and prints the
training samples per second. Debian's python3-torch (installed by `make deps-peers`)."""
import argparse
import time

import torch


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="784,512,512,10")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seconds", type=float, default=2.0)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    sizes = [int(s) for s in a.sizes.split(",")]
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
        if i + 2 < len(sizes):
            layers.append(torch.nn.ReLU())
    net = torch.nn.Sequential(*layers)
    opt = torch.optim.SGD(net.parameters(), lr=0.02, momentum=0.9, nesterov=True,
                          weight_decay=2.2e-4)
    x = torch.rand(4096, sizes[0])
    y = torch.randint(0, sizes[-1], (4096,))
    loss_fn = torch.nn.CrossEntropyLoss()

    def step(i):
        lo = (i * a.batch) % (4096 - a.batch)
        opt.zero_grad()
        loss = loss_fn(net(x[lo:lo + a.batch]), y[lo:lo + a.batch])
        loss.backward()
        opt.step()

    for i in range(20):
        step(i)
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < a.seconds:
        step(steps)
        steps += 1
    print("%.6g" % (steps * a.batch / (time.perf_counter() - start)))


if __name__ == "__main__":
    main()
