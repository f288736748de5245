#!/usr/bin/env python3
"""Prints the benchmark's medians and ratios from the hyperfine JSON files bench/run.sh wrote."""
import json
import os
import subprocess
import sys

out, sizes = sys.argv[1], sys.argv[2:]


def medians(path):
    with open(path) as f:
        return {r["command"]: r["median"] for r in json.load(f)["results"]}


print(f"{'tree':>11} {'files':>7} {'rg ms':>8} {'deploylint ms':>14} {'ratio':>6} {'peak MB':>8} {'us/file':>8}")
for n in sizes:
    repo = os.path.join(out, f"repo-{n}")
    files = int(subprocess.run(["git", "-C", repo, "ls-files", "-co"], capture_output=True,
                               text=True, check=True).stdout.count("\n"))
    m = medians(os.path.join(out, f"size-{n}.json"))
    with open(os.path.join(out, f"mem-{n}.txt")) as f:
        peak_kb = int(f.read().split()[-1])
    dl, rg = m["deploylint"], m["rg"]
    print(f"{n:>11} {files:>7} {rg * 1e3:>8.1f} {dl * 1e3:>14.1f} {dl / rg:>5.2f}x {peak_kb / 1024:>8.1f}"
          f" {dl * 1e6 / files:>8.2f}")
m = medians(os.path.join(out, "seed.json"))
print(f"seed fixture: deploylint {m['deploylint'] * 1e3:.1f} ms, hadolint on its Dockerfile "
      f"{m['hadolint'] * 1e3:.1f} ms, ratio {m['deploylint'] / m['hadolint']:.2f}x")
