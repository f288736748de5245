#!/usr/bin/env python3
"""Judged totals of deploylint over the real-world set (standard library only).

Reads the JSON outputs run.sh saved (one `<owner>+<name>.json` per repository) and verdicts.tsv,
and prints per repository and in total: errors and warnings by code, judged true, judged false,
not yet judged (infos on a line of their own, never judged); then the unjudged and the false
findings. A verdict matches a finding by (repo, code, path, line): the pinned trees never change,
so the key holds while messages are reworded.

    summary.py --out DIR [--repos repos.txt] [--verdicts verdicts.tsv]
               [--stale] [--true] [--tsv] [--quiet]
"""

import argparse
import collections
import csv
import json
import os
import sys

JUDGED = ("error", "warning")
COLUMNS = ["repo", "code", "path", "line", "verdict", "reason"]


def read_repos(path):
    repos = []
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.split("#", 1)[0].strip()
            if line:
                repos.append(line.split()[0])
    return repos


def read_verdicts(path):
    """Returns {key: (verdict, reason, line number)}; a malformed or duplicated line is fatal."""
    verdicts = {}
    if not os.path.exists(path):
        return verdicts
    with open(path, encoding="utf-8", newline="") as f:
        rows = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        for n, row in enumerate(rows, 1):
            if not row or row[0].startswith("#"):
                continue
            if n == 1 and row[: len(COLUMNS)] == COLUMNS:
                continue
            if len(row) < 5:
                sys.exit(f"{path}:{n}: expected {len(COLUMNS)} tab-separated columns")
            repo, code, fpath, line, verdict = row[:5]
            reason = row[5] if len(row) > 5 else ""
            if verdict not in ("true", "false"):
                sys.exit(f"{path}:{n}: verdict must be `true` or `false`, not `{verdict}`")
            try:
                key = (repo, code, fpath, int(line))
            except ValueError:
                sys.exit(f"{path}:{n}: line must be a number, not `{line}`")
            if key in verdicts:
                sys.exit(f"{path}:{n}: the same key is judged on line {verdicts[key][2]}")
            verdicts[key] = (verdict, reason, n)
    return verdicts


def read_findings(out_dir, repo):
    path = os.path.join(out_dir, repo.replace("/", "+", 1) + ".json")
    if not os.path.exists(path):
        return None
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        print(f"{repo}: unreadable output {path}: {e}", file=sys.stderr)
        return None
    return doc.get("findings", [])


def key_of(repo, finding):
    return (repo, finding.get("code", ""), finding.get("path", ""), int(finding.get("line", 0)))


def by_code(counter):
    return " ".join(f"{code}={n}" for code, n in sorted(counter.items())) or "-"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--out", default="/tmp/deploylint-rw/out", help="dir of the JSON outputs")
    ap.add_argument("--repos", default=os.path.join(here, "repos.txt"))
    ap.add_argument("--verdicts", default=os.path.join(here, "verdicts.tsv"))
    ap.add_argument("--stale", action="store_true", help="list verdicts no finding matches")
    ap.add_argument("--true", action="store_true", help="also list the findings judged true")
    ap.add_argument("--tsv", action="store_true", help="print unjudged findings as verdict lines")
    ap.add_argument("--quiet", action="store_true", help="totals only, no per-repository lines")
    args = ap.parse_args()

    repos = read_repos(args.repos)
    verdicts = read_verdicts(args.verdicts)

    total_codes = collections.Counter()
    total_infos = collections.Counter()
    totals = collections.Counter()
    unjudged, false, true_ = [], [], []
    matched = set()
    measured = set()
    not_run = []

    for repo in repos:
        findings = read_findings(args.out, repo)
        if findings is None:
            not_run.append(repo)
            continue
        measured.add(repo)
        codes = collections.Counter()
        infos = collections.Counter()
        counts = collections.Counter()
        for f in findings:
            if f.get("severity") not in JUDGED:
                infos[f.get("code", "")] += 1
                continue
            codes[f"{f.get('code', '')}"] += 1
            counts[f.get("severity")] += 1
            key = key_of(repo, f)
            verdict = verdicts.get(key)
            entry = (repo, f)
            if verdict is None:
                counts["unjudged"] += 1
                unjudged.append(entry)
            else:
                matched.add(key)
                counts[verdict[0]] += 1
                (true_ if verdict[0] == "true" else false).append(entry + (verdict[1],))
        total_codes.update(codes)
        total_infos.update(infos)
        totals.update(counts)
        totals["repos"] += 1
        if codes:
            totals["repos with findings"] += 1
        if counts["false"]:
            totals["repos with false findings"] += 1
        if not args.quiet and (codes or infos):
            print(
                f"{repo}: errors={counts['error']} warnings={counts['warning']} "
                f"true={counts['true']} false={counts['false']} unjudged={counts['unjudged']}"
            )
            if codes:
                print(f"    by code: {by_code(codes)}")
            if infos:
                print(f"    infos:   {by_code(infos)}")

    stale = [
        (key, v) for key, v in verdicts.items() if key[0] in measured and key not in matched
    ]
    fixed_false = sum(1 for _, v in stale if v[0] == "false")
    lost_true = sum(1 for _, v in stale if v[0] == "true")

    print()
    print(
        f"TOTAL: {totals['repos']} repositories ({len(not_run)} not run), "
        f"{totals['repos with findings']} with errors or warnings, "
        f"{totals['repos with false findings']} with a false one"
    )
    print(
        f"    errors={totals['error']} warnings={totals['warning']} "
        f"true={totals['true']} false={totals['false']} unjudged={totals['unjudged']}"
    )
    print(f"    by code: {by_code(total_codes)}")
    print(f"    infos:   {by_code(total_infos)}")
    false_errors = sum(1 for _, f, _ in false if f.get("severity") == "error")
    print(
        f"    false errors={false_errors} false warnings={len(false) - false_errors} "
        f"(target: 0 false errors, at most {totals['repos'] // 10} false warnings)"
    )
    print(f"    stale verdicts: fixed false={fixed_false} lost true={lost_true}")
    if not_run:
        print(f"    not run: {' '.join(not_run)}")

    def line_of(repo, f, reason=None):
        s = (
            f"  {repo} {f.get('code')} {f.get('severity')} {f.get('path')}:{f.get('line')} "
            f"{f.get('message')}"
        )
        return s + (f"\n      why: {reason}" if reason else "")

    if unjudged:
        print(f"\nUNJUDGED ({len(unjudged)}):")
        for repo, f in unjudged:
            print(line_of(repo, f))
    if false:
        print(f"\nFALSE ({len(false)}):")
        for repo, f, reason in false:
            print(line_of(repo, f, reason))
    if args.true and true_:
        print(f"\nTRUE ({len(true_)}):")
        for repo, f, reason in true_:
            print(line_of(repo, f, reason))
    if lost_true:
        print(f"\nLOST TRUE ({lost_true}): a finding judged true is no longer reported")
        for key, v in sorted(stale):
            if v[0] == "true":
                print(f"  {key[0]} {key[1]} {key[2]}:{key[3]} ({v[1]})")
    if args.stale and stale:
        print(f"\nSTALE ({len(stale)}): verdicts no finding matches")
        for key, v in sorted(stale):
            label = "fixed false" if v[0] == "false" else "lost true"
            print(f"  {label}: {key[0]} {key[1]} {key[2]}:{key[3]} ({v[1]})")
    if args.tsv and unjudged:
        print("\n# unjudged, as verdict lines (fill in verdict and reason):")
        for repo, f in unjudged:
            print("\t".join([repo, f.get("code"), f.get("path"), str(f.get("line")), "", ""]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
