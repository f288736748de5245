#!/usr/bin/env python3
"""Generates a large synthetic monorepo for the deploylint benchmark.

Usage: gen.py DIR [SERVICES] [linked]  (default 100 services: about 20,000 files)
Every service has 200 files: a Go module with 5 commands and 120 library files (12 packages)
that read env keys, a Dockerfile that builds 4 of the commands, an env template, a deploy script, a README, and
66 generated files under build/ that the root .gitignore leaves out (a third of the tree). Every
10 services share a compose file. The tree is made a git repository, so every tool honours the
same .gitignore.
The commands import one library package; with `linked`, every command imports all twelve, so
that every package is part of a program and read in full.
"""
import os
import sys

root = sys.argv[1]
services = int(sys.argv[2]) if len(sys.argv) > 2 else 100
linked = len(sys.argv) > 3 and sys.argv[3] == "linked"

GO_LIB = '''package {pkg}

import (
\t"fmt"
\t"os"
)

// Config{n} holds settings read from the environment.
type Config{n} struct {{
\tURL   string
\tToken string
}}

func Load{n}() Config{n} {{
\tlevel := os.Getenv("LOG_LEVEL_{n}")
\tif level == "" {{
\t\tlevel = "info"
\t}}
\tfmt.Println(level) // os.Getenv("NOT_A_READ")
\treturn Config{n}{{
\t\tURL:   os.Getenv("SERVICE_URL_{n}"),
\t\tToken: os.Getenv("SERVICE_TOKEN_{n}"),
\t}}
}}
'''

GO_MAIN = '''package main

import (
\t"log"

{imports}
)

func main() {{
{calls}
}}
'''

LIBS = range(12) if linked else range(1)


def go_main(s):
    imports = "\n".join(f'\t"example.com/svc{s}/internal/lib{p}"' for p in LIBS)
    calls = "\n".join(f"\tlog.Println(lib{p}.Load{p}())" for p in LIBS)
    return GO_MAIN.format(imports=imports, calls=calls)


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)

for s in range(services):
    base = os.path.join(root, "services", f"svc{s}")
    write(os.path.join(base, "go.mod"), f"module example.com/svc{s}\n\ngo 1.22\n")
    for c in range(5):
        write(os.path.join(base, "cmd", f"c{c}", "main.go"), go_main(s))
    for p in range(12):
        for n in range(10):
            write(os.path.join(base, "internal", f"lib{p}", f"f{n}.go"), GO_LIB.format(pkg=f"lib{p}", n=n))
    builds = " \\\n && ".join(f"go build -o /out/c{c} ./cmd/c{c}" for c in range(4))
    copies = "\n".join(f"COPY --from=build /out/c{c} /app/c{c}" for c in range(4))
    write(os.path.join(base, "Dockerfile"),
          f"FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN {builds}\n\nFROM alpine:3.19\nWORKDIR /app\n{copies}\nCMD [\"/app/c0\"]\n")
    write(os.path.join(base, ".env.example"), "".join(f"SERVICE_URL_{n}=\nSERVICE_TOKEN_{n}=\n" for n in range(0, 10, 2)))
    write(os.path.join(base, "README.md"), f"# svc{s}\n\nRun `./deploy.sh`.\n")
    for n in range(66):
        write(os.path.join(base, "build", "gen", f"g{n}.go"), GO_LIB.format(pkg="gen", n=n))
    write(os.path.join(base, "deploy.sh"),
          f"#!/bin/sh\nset -e\ndocker-compose -f docker-compose.yml up -d svc{s}\ndocker exec svc{s} /app/c1 --migrate\n")
for g in range(0, services, 10):
    body = "services:\n"
    for s in range(g, min(g + 10, services)):
        body += f"  svc{s}:\n    build: ./services/svc{s}\n    container_name: svc{s}\n    env_file: ./services/svc{s}/.env.example\n"
    write(os.path.join(root, f"compose{g // 10}", "docker-compose.yml"), body.replace("./services", "../services"))
write(os.path.join(root, ".gitignore"), "build/\n")
os.system(f"git -C '{root}' init -q && git -C '{root}' add -A && git -C '{root}' -c user.email=b@b -c user.name=b commit -qm gen")
print(sum(len(f) for _, _, f in os.walk(root)), "files in", root)
