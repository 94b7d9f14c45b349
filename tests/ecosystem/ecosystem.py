#!/usr/bin/env python3
"""The ecosystem check (issue 9): miglint on 48 real projects, against a reviewed baseline.

Every package of the pinned corpus (../shared/corpus/fetch-corpus.sh) is linted on its
own, from its own folder, in two modes:

  zero-config   no configuration at all, as a new user runs it;
  real-targets  `dialects = [...]` set to the package's real production
                dialects (tests/ecosystem/targets.tsv), plus what its users declare
                beyond them (tests/ecosystem/config/<package>.toml), in a temporary
                config.

The findings are compared with tests/ecosystem/baseline.tsv, where every error carries
a reviewed verdict (true / false / unsure / unreviewed) and one line of reason. The run
fails when an error appears that the baseline lacks, when a `true` error disappears,
or when miglint fails on a package. `--update` rewrites the baseline and carries the
verdicts over to the findings that persist. `--online` instead lints real-targets with
`online = true` and prints, per ML7xx code, its findings, revisions and packages (no
baseline: the family is opt-in; `--findings FILE` keeps them for review). Stdlib only:
this runs in CI, not at lint time.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from dataclasses import astuple, dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
MODES = ("zero-config", "real-targets")
COLUMNS = ("mode", "package", "file", "line", "code", "severity", "verdict", "reason", "subject")
VERDICTS = ("true", "false", "unsure", "unreviewed")
# Verdicts reviewed for findings miglint does not produce yet (e.g. files it cannot discover
# yet); `--update` gives them to such findings when they appear.
PENDING = HERE / "pending-verdicts.tsv"
SHOW_PER_RULE = 15  # display cap per rule in the appeared/disappeared lists


@dataclass
class Finding:
    mode: str
    package: str
    file: str
    line: int
    code: str
    severity: str
    verdict: str = ""
    reason: str = ""
    # The message class: the quoted names in the message ("col", "table"), which
    # survive rewording; used to follow a finding whose line moved.
    subject: str = ""
    message: str = ""  # not stored in the baseline

    def group(self) -> tuple:
        return (self.mode, self.package, self.file, self.code)

    def row(self) -> list[str]:
        return [self.mode, self.package, self.file, str(self.line), self.code, self.severity,
                self.verdict, self.reason, self.subject]

    def where(self) -> str:
        return f"{self.mode:<12} {self.package}: {self.file}:{self.line} {self.severity}"


def subject_of(message: str) -> str:
    names = re.findall(r'"([^"\t\n]{1,60})"', message)
    return ",".join(names)[:120]


def one_line(text: str) -> str:
    return " ".join(text.split())


# ---------------------------------------------------------------- inputs


def load_targets(path: Path) -> dict[str, tuple[list[str], str]]:
    """package -> (dialects, evidence) from a `package<TAB>dialects<TAB>evidence` TSV."""
    targets = {}
    if not path.is_file():
        return targets
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#") or line.startswith("package\t"):
            continue
        cols = line.split("\t")
        dialects = [d.strip() for d in cols[1].split(",") if d.strip()]
        targets[cols[0]] = (dialects, cols[2] if len(cols) > 2 else "")
    return targets


def manifest(corpus: Path) -> dict[str, str]:
    """package -> version, from the corpus's MANIFEST.tsv."""
    versions = {}
    path = corpus / "MANIFEST.tsv"
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines()[1:]:
            cols = line.split("\t")
            if len(cols) >= 2:
                versions[cols[0]] = cols[1]
    return versions


def read_tsv(path: Path) -> tuple[list[str], list[Finding]]:
    """The comment lines and the findings of a baseline (or verdicts) file."""
    comments, rows, columns = [], [], None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            comments.append(line)
            continue
        if not line.strip():
            continue
        cols = line.split("\t")
        if columns is None:
            columns = cols
            continue
        rec = dict(zip(columns, cols))
        rows.append(Finding(rec["mode"], rec["package"], rec["file"], int(rec["line"]), rec["code"],
                            rec.get("severity", ""), rec.get("verdict", ""), rec.get("reason", ""),
                            rec.get("subject", "")))
    return comments, rows


# ---------------------------------------------------------------- running miglint


def ancestor_config(path: Path) -> Path | None:
    """A lint.toml / pyproject.toml [tool.miglint] above `path` would turn zero-config into ours."""
    for d in [path, *path.parents]:
        if (d / "lint.toml").is_file():
            return d / "lint.toml"
        py = d / "pyproject.toml"
        if py.is_file() and "tool.miglint" in py.read_text(encoding="utf-8", errors="replace"):
            return py
    return None


def run_miglint(binary: str, cwd: Path, config: Path | None) -> tuple[list[dict] | None, str, int | None]:
    """(findings or None on a tool failure, stderr, files linted when known)."""
    cmd = [binary, "check", "--output-format", "json", "--exit-zero"]
    if config is not None:
        cmd += ["--config", str(config)]
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        if re.search(r"\b0 files\b|no (migration )?files?", proc.stderr) and not proc.stdout.strip(" \n[]"):
            return [], proc.stderr, 0  # nothing linted, said so (exit 2)
        return None, f"exit {proc.returncode}: {proc.stderr.strip()}", None
    try:
        data = json.loads(proc.stdout or "[]")
    except json.JSONDecodeError as e:
        return None, f"invalid JSON ({e}): {proc.stdout[:200]}", None
    files = None
    if not data:  # is it clean, or did it lint nothing? The summary line says.
        cmd[cmd.index("json")] = "concise"
        summary = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True).stdout
        m = re.search(r"(\d+) files?\b", summary.splitlines()[-1] if summary.strip() else "")
        files = int(m.group(1)) if m else None
    return data, proc.stderr, files


def lint_corpus(corpus: Path, binary: str, targets, only: set[str] | None, online: bool = False):
    """All findings, plus notes: packages that linted no file, tool failures, skipped modes."""
    findings, empty, failures, skipped = [], [], [], []
    packages = sorted(p.name for p in corpus.iterdir() if p.is_dir() and p.name != "dl")
    with tempfile.TemporaryDirectory(prefix="miglint-ecosystem-") as tmp:
        for package in packages:
            if only and package not in only:
                continue
            # a private copy: the corpus may be read-only, and the temporary config
            # must sit in the package folder (it is the discovery root with --config)
            stage = Path(tmp) / package
            shutil.copytree(corpus / package, stage, symlinks=True)
            found = ancestor_config(stage)
            if found:
                sys.exit(f"ecosystem: {found} would configure the zero-config run; set TMPDIR elsewhere")
            for mode in ("real-targets",) if online else MODES:
                config = None
                if mode == "real-targets":
                    if package not in targets or not targets[package][0]:
                        skipped.append(package)
                        continue
                    config = stage / "lint.toml"
                    dialects = ", ".join(f'"{d}"' for d in targets[package][0])
                    text = f"dialects = [{dialects}]\n"
                    # what the project's users declare beyond the dialects (an
                    # engine with no transaction, per-path targets), with its evidence
                    extra = HERE / "config" / f"{package}.toml"
                    if extra.is_file():
                        text += "\n" + extra.read_text(encoding="utf-8")
                    if online:  # the opt-in online-safety family (ML7xx)
                        text = "online = true\n" + text
                    config.write_text(text, encoding="utf-8")
                data, stderr, files = run_miglint(binary, stage, config)
                if data is None:
                    failures.append(f"{mode} {package}: {stderr}")
                    continue
                if files == 0:
                    empty.append(f"{mode} {package}")
                for d in data:
                    name = d.get("filename") or ""
                    if os.path.isabs(name):
                        name = os.path.relpath(name, stage)
                    loc = d.get("location") or {}
                    findings.append(Finding(mode, package, name, int(loc.get("row") or 0), d["code"],
                                            d["severity"], subject=subject_of(d.get("message", "")),
                                            message=one_line(d.get("message", ""))))
            shutil.rmtree(stage)
    findings.sort(key=sort_key)
    return findings, empty, failures, skipped


def sort_key(f: Finding):
    return (MODES.index(f.mode) if f.mode in MODES else 9, f.package, f.file, f.line, f.code, f.subject)


# ---------------------------------------------------------------- comparison


def match(old: list[Finding], new: list[Finding]):
    """Pairs (old, new) of the same finding, then what only `new` and only `old` hold.

    Within (mode, package, file, code): same line and subject first, then the same line,
    then the same subject on the nearest line (the finding moved)."""
    pairs = []
    by_group = defaultdict(lambda: ([], []))
    for f in old:
        by_group[f.group()][0].append(f)
    for f in new:
        by_group[f.group()][1].append(f)
    appeared, disappeared = [], []
    for olds, news in by_group.values():
        for same in (lambda o, n: o.line == n.line and o.subject == n.subject,
                     lambda o, n: o.line == n.line,
                     lambda o, n: o.subject == n.subject):
            for n in list(news):
                cands = [o for o in olds if same(o, n)]
                if cands:
                    o = min(cands, key=lambda o: abs(o.line - n.line))
                    pairs.append((o, n))
                    olds.remove(o)
                    news.remove(n)
        appeared += news
        disappeared += olds
    return pairs, sorted(appeared, key=sort_key), sorted(disappeared, key=sort_key)


def carry_over(pairs) -> None:
    for o, n in pairs:
        if o.verdict:
            n.verdict, n.reason = o.verdict, o.reason


def mark_unreviewed(findings: list[Finding]) -> None:
    for f in findings:
        if f.severity == "error" and not f.verdict:
            f.verdict = "unreviewed"


def print_changes(title: str, findings: list[Finding], out) -> None:
    if not findings:
        return
    by_rule = defaultdict(list)
    for f in findings:
        by_rule[f.code].append(f)
    print(f"\n{title} ({len(findings)}):", file=out)
    for code in sorted(by_rule):
        fs = by_rule[code]
        sev = Counter(f.severity for f in fs)
        print(f"  {code}: {len(fs)} ({', '.join(f'{n} {s}' for s, n in sorted(sev.items()))})", file=out)
        for f in fs[:SHOW_PER_RULE]:
            extra = f"  [{f.verdict}: {f.reason}]" if f.verdict and f.verdict != "unreviewed" else ""
            text = f.message[:160] if f.message else f.subject
            print(f"    {f.where()}  {text}{extra}", file=out)
        if len(fs) > SHOW_PER_RULE:
            print(f"    ... {len(fs) - SHOW_PER_RULE} more", file=out)


def table(findings: list[Finding], out) -> None:
    """Per mode and rule: error count, verdicts, and the false rate among errors."""
    counts = defaultdict(Counter)
    for f in findings:
        if f.severity != "error":
            continue
        for key in ((f.mode, f.code), (f.mode, "all")):
            counts[key]["errors"] += 1
            counts[key][f.verdict or "unreviewed"] += 1
    print(f"\n{'mode':<13}{'rule':<7}{'errors':>7}{'true':>6}{'false':>6}{'unsure':>7}"
          f"{'unrev.':>7}{'false%':>8}", file=out)
    for mode in MODES:
        codes = sorted(c for m, c in counts if m == mode and c != "all") + ["all"]
        for code in codes:
            c = counts.get((mode, code))
            if not c:
                continue
            rate = 100.0 * c["false"] / c["errors"]
            print(f"{mode:<13}{code:<7}{c['errors']:>7}{c['true']:>6}{c['false']:>6}{c['unsure']:>7}"
                  f"{c['unreviewed']:>7}{rate:>7.1f}%", file=out)
    print("false% = false / errors (unsure and unreviewed count as not false)", file=out)


# ---------------------------------------------------------------- baseline file


def header(corpus: Path, binary: str, targets, empty: list[str]) -> list[str]:
    fetch = Path(os.environ.get("MIGLINT_FETCH_FULL_CORPUS") or REPO.parent / "shared/corpus/fetch-corpus.sh")
    pin = hashlib.sha256(fetch.read_bytes()).hexdigest()[:16] if fetch.is_file() else "unknown"
    # the last commit that changed the linter (not this baseline or its script)
    linter = ["--", "crates", "rules", "Cargo.toml", "Cargo.lock"]
    git = lambda *a: subprocess.run(["git", *a], cwd=REPO, capture_output=True, text=True)
    commit = git("log", "-1", "--format=%h", *linter).stdout.strip() or "unknown"
    if git("diff", "--quiet", "HEAD", *linter).returncode != 0:
        commit += " + uncommitted changes"
    version = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout.strip()
    versions = manifest(corpus)
    lines = [
        "# miglint ecosystem baseline (issue 9). Written by `scripts/ecosystem --update`;",
        "# verdicts and reasons are reviewed by hand (read the code around each error).",
        f"# corpus: ../shared/corpus/fetch-corpus.sh sha256:{pin}, {len(versions)} packages",
        f"# miglint: {version}, linter code at commit {commit}",
        "# verdict: true = fails (or misbehaves) on a dialect the package really runs on;",
        "#   false = cannot fail there; unsure = could not decide; unreviewed = nobody looked yet.",
        "# real targets (tests/ecosystem/targets.tsv): package==version  dialects  evidence;",
        "#   tests/ecosystem/config/<package>.toml adds what a package's users declare beyond them.",
    ]
    for package in sorted(versions):
        dialects, evidence = targets.get(package, ([], "NOT DECIDED"))
        lines.append(f"# target\t{package}=={versions[package]}\t{','.join(dialects)}\t{evidence}")
    for e in empty:
        lines.append(f"# no file linted: {e}")
    return lines


def write_baseline(path: Path, comments: list[str], findings: list[Finding]) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for c in comments:
            out.write(c + "\n")
        out.write("\t".join(COLUMNS) + "\n")
        for f in sorted(findings, key=sort_key):
            out.write("\t".join(one_line(c).replace("\t", " ") for c in f.row()) + "\n")


def merge_verdicts(findings: list[Finding], verdict_files: list[Path], quiet=False) -> int:
    """Applies reviewed verdicts (same columns; subject optional) to matching findings."""
    applied = 0
    for path in verdict_files:
        _, reviewed = read_tsv(path)
        reviewed = [r for r in reviewed if r.verdict]
        bad = [r for r in reviewed if r.verdict not in VERDICTS]
        if bad:
            sys.exit(f"ecosystem: {path}: unknown verdict {bad[0].verdict!r} ({bad[0].where()})")
        # mode `*`: the verdict holds in every mode (e.g. a per-dialect track's finding)
        reviewed = [Finding(m, *astuple(r)[1:]) if r.mode == "*" else r
                    for r in reviewed for m in (MODES if r.mode == "*" else (r.mode,))]
        for r in reviewed:
            if not r.subject:  # a verdict file without the subject column
                r.subject = next((f.subject for f in findings if f.group() == r.group()
                                  and f.line == r.line), "")
        pairs, unmatched, _ = match(findings, reviewed)
        for f, r in pairs:
            f.verdict, f.reason = r.verdict, r.reason
        applied += len(pairs)
        for r in [] if quiet else unmatched:
            print(f"ecosystem: {path.name}: no such finding (yet): {r.where()} {r.code}",
                  file=sys.stderr)
    return applied


# ---------------------------------------------------------------- main


def online_counts(args, targets) -> int:
    """`--online`: what the opt-in family reports on the real projects (for review, no baseline)."""
    findings, _, failures, _ = lint_corpus(args.corpus, args.bin, targets,
                                           set(args.package) if args.package else None, online=True)
    ml7 = [f for f in findings if f.code.startswith("ML7")]
    print(f"ecosystem --online: {len(ml7)} ML7xx findings (real targets, online = true)")
    print("code   findings  revisions  packages")
    for code in sorted({f.code for f in ml7}):
        fs = [f for f in ml7 if f.code == code]
        print(f"{code}  {len(fs):>8}  {len({(f.package, f.file) for f in fs}):>9}  "
              f"{len({f.package for f in fs}):>8}")
    if args.findings:
        with args.findings.open("w", encoding="utf-8") as fh:
            fh.write("\t".join(COLUMNS + ("message",)) + "\n")
            for f in ml7:
                fh.write("\t".join([*f.row(), f.message]) + "\n")
    for fail in failures:
        print(f"ecosystem: FAILED: miglint failed: {fail}")
    return 1 if failures else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, help="the corpus folder (fetch-corpus.sh DEST)")
    ap.add_argument("--bin", default=os.environ.get("MIGLINT_BIN"), help="the miglint binary")
    ap.add_argument("--baseline", type=Path, default=HERE / "baseline.tsv")
    ap.add_argument("--targets", type=Path, default=HERE / "targets.tsv")
    ap.add_argument("--pending", type=Path, default=PENDING, help=argparse.SUPPRESS)
    ap.add_argument("--update", action="store_true", help="rewrite the baseline from this run")
    ap.add_argument("--verdicts", type=Path, action="append", default=[],
                    help="a reviewed verdicts TSV to merge into the baseline (repeatable)")
    ap.add_argument("--findings", type=Path, help="also write this run's findings, with messages")
    ap.add_argument("--table", action="store_true", help="print the baseline's per-rule table and stop")
    ap.add_argument("--package", action="append", help="only these packages (no --update)")
    ap.add_argument("--online", action="store_true",
                    help="real targets with `online = true`: print the ML7xx counts (no baseline)")
    args = ap.parse_args()

    comments, baseline = read_tsv(args.baseline) if args.baseline.is_file() else ([], [])
    if args.table:
        table(baseline, sys.stdout)
        return 0
    if args.verdicts and not args.corpus:  # merge into the baseline as it is
        n = merge_verdicts(baseline, args.verdicts)
        write_baseline(args.baseline, comments, baseline)
        print(f"ecosystem: {n} verdicts merged into {args.baseline}")
        table(baseline, sys.stdout)
        return 0
    if not args.corpus or not args.bin:
        ap.error("--corpus and --bin (or MIGLINT_BIN) are needed to lint")
    if args.package and args.update:
        ap.error("--update rewrites the whole baseline: run it on every package")

    if os.sep in args.bin:  # miglint runs from each package's folder
        args.bin = str(Path(args.bin).resolve())
    targets = load_targets(args.targets)
    if args.online:
        return online_counts(args, targets)
    findings, empty, failures, skipped = lint_corpus(args.corpus, args.bin, targets,
                                                     set(args.package) if args.package else None)
    if args.package:
        baseline = [f for f in baseline if f.package in args.package]
    pairs, appeared, disappeared = match(list(baseline), findings)
    carry_over(pairs)

    out = sys.stdout
    errors = sum(f.severity == "error" for f in findings)
    print(f"ecosystem: {len(findings)} findings ({errors} errors) on {args.corpus}; "
          f"baseline {len(baseline)}", file=out)
    for e in empty:
        print(f"  no file linted: {e}", file=out)
    for p in skipped:
        print(f"  no real targets recorded for {p} (tests/ecosystem/targets.tsv): real-targets skipped",
              file=out)
    print_changes("appeared", appeared, out)
    print_changes("disappeared", disappeared, out)
    new_errors = [n for n in appeared if n.severity == "error"]
    new_errors += [n for o, n in pairs if n.severity == "error" and o.severity != "error"]
    lost_true = [o for o in disappeared if o.severity == "error" and o.verdict == "true"]
    lost_true += [o for o, n in pairs if o.verdict == "true" and o.severity == "error"
                  and n.severity != "error"]
    changed = [(o, n) for o, n in pairs if o.severity != n.severity]
    if changed:
        print(f"\nseverity changed ({len(changed)}):", file=out)
        for o, n in changed[:50]:
            print(f"  {n.code} {n.where()} (was {o.severity})", file=out)

    if args.update or args.verdicts:
        if args.pending.is_file():  # reviewed before miglint found them: new findings only
            merge_verdicts([f for f in findings if not f.verdict], [args.pending], quiet=True)
        mark_unreviewed(findings)
        if args.verdicts:
            merge_verdicts(findings, args.verdicts)
    if args.update and failures:
        print("\necosystem: baseline NOT written: miglint failed on a package", file=out)
    elif args.update:
        write_baseline(args.baseline, header(args.corpus, args.bin, targets, empty), findings)
        print(f"\necosystem: wrote {args.baseline} ({len(findings)} findings)", file=out)
    if args.findings:
        with args.findings.open("w", encoding="utf-8") as fh:
            fh.write("\t".join(COLUMNS + ("message",)) + "\n")
            for f in findings:
                fh.write("\t".join([*f.row(), f.message]) + "\n")
    table(findings if args.update else [n for _, n in pairs] + appeared, out)

    status = 0
    for fail in failures:
        print(f"ecosystem: FAILED: miglint failed: {fail}", file=out)
        status = 1
    if not args.update and (new_errors or lost_true):
        print(f"\necosystem: FAILED: {len(new_errors)} error(s) not in the baseline, "
              f"{len(lost_true)} `true` error(s) gone. Review them, then `scripts/ecosystem --update` "
              "and give each new error a verdict in tests/ecosystem/baseline.tsv.", file=out)
        status = 1
    elif not args.update:
        print(f"\necosystem: ok ({len(appeared)} appeared, {len(disappeared)} disappeared, "
              "none of them a new error or a `true` error)", file=out)
    return status


if __name__ == "__main__":
    sys.exit(main())
