#!/usr/bin/env python3
"""Writes the tree of COMMIT from the bare git dir GIT_DIR into DEST (standard library only).

    extract.py GIT_DIR COMMIT DEST

Unlike `git archive`, a blob the snapshot lacks (snapshots leave out files of 4 MiB and more and
Git LFS content) does not abort the extraction: the file is left out and its path printed on
stderr. Symlinks are written as symlinks, executables keep their mode, submodules are skipped.
"""

import os
import subprocess
import sys


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    git_dir, commit, dest = sys.argv[1:]
    git = ["git", "--git-dir", git_dir]
    listing = subprocess.run(
        git + ["ls-tree", "-r", "-z", "--full-tree", commit], check=True, capture_output=True
    ).stdout
    entries = []
    for record in listing.split(b"\0"):
        if not record:
            continue
        meta, path = record.split(b"\t", 1)
        mode, kind, oid = meta.split(b" ")
        if kind != b"blob":
            continue
        entries.append((mode, oid, path))

    batch = subprocess.Popen(
        git + ["cat-file", "--batch"], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    missing = 0
    dest_b = os.fsencode(dest)
    for mode, oid, path in entries:
        batch.stdin.write(oid + b"\n")
        batch.stdin.flush()
        header = batch.stdout.readline()
        if header.endswith(b" missing\n"):
            missing += 1
            print(f"missing blob: {os.fsdecode(path)}", file=sys.stderr)
            continue
        size = int(header.split(b" ")[2])
        data = batch.stdout.read(size)
        batch.stdout.read(1)  # the newline after the contents
        target = os.path.join(dest_b, path)
        parts = os.path.normpath(path).split(os.sep.encode())
        if b".." in parts or os.path.isabs(path):
            continue
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if mode == b"120000":
            try:
                os.symlink(data, target)
            except OSError:
                pass
            continue
        with open(target, "wb") as f:
            f.write(data)
        if mode == b"100755":
            os.chmod(target, 0o755)
    batch.stdin.close()
    batch.wait()
    if missing:
        print(f"{missing} file(s) absent from the snapshot", file=sys.stderr)


if __name__ == "__main__":
    main()
