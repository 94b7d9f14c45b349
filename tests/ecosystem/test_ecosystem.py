"""Tests of the ecosystem check's comparison: python3 -m unittest discover tests/ecosystem

A fake miglint (a Python script) prints canned JSON per package and mode, so the tests
drive ecosystem.py end to end without the corpus or a Rust build."""

import json
import os
import subprocess
import sys
import tempfile
import textwrap
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import ecosystem  # noqa: E402
from ecosystem import Finding  # noqa: E402

SCRIPT = Path(__file__).resolve().parent / "ecosystem.py"

FAKE = textwrap.dedent("""\
    #!/usr/bin/env python3
    import json, os, sys
    if "--version" in sys.argv:
        print("miglint 0.0.0"); sys.exit(0)
    mode = "real-targets" if "--config" in sys.argv else "zero-config"
    if mode == "zero-config":
        # the zero-config run must see no configuration at all
        assert not os.path.exists("lint.toml"), "zero-config run found a lint.toml"
    else:
        cfg = open(sys.argv[sys.argv.index("--config") + 1]).read()
        assert cfg.startswith("dialects = ["), cfg
    package = os.path.basename(os.getcwd())
    canned = json.load(open(os.environ["FAKE_FINDINGS"]))
    out = canned.get(package + " " + mode, [])
    if "concise" in sys.argv:
        print(f"All checks passed: {0 if package.startswith('empty') else 3} files"); sys.exit(0)
    print(json.dumps(out))
""")


def diag(code, row, severity="error", message='"col" of "t"', filename="pkg/versions/a.py"):
    return {"code": code, "severity": severity, "message": message, "filename": filename,
            "location": {"row": row, "column": 1}}


def f(line, code="ML201", subject="col,t", severity="error", verdict="", mode="zero-config"):
    return Finding(mode, "p", "a.py", line, code, severity, verdict, "", subject)


class MatchTest(unittest.TestCase):
    def test_same_line_and_subject_pairs(self):
        pairs, appeared, gone = ecosystem.match([f(10)], [f(10)])
        self.assertEqual((len(pairs), appeared, gone), (1, [], []))

    def test_moved_line_follows_the_subject(self):
        old = [f(10, subject="a,t"), f(20, subject="b,t")]
        new = [f(24, subject="b,t"), f(14, subject="a,t")]
        pairs, appeared, gone = ecosystem.match(old, new)
        self.assertEqual(sorted((o.line, n.line) for o, n in pairs), [(10, 14), (20, 24)])
        self.assertEqual((appeared, gone), ([], []))

    def test_reworded_message_keeps_the_line(self):
        pairs, _, _ = ecosystem.match([f(10, subject="x")], [f(10, subject="y")])
        self.assertEqual(len(pairs), 1)

    def test_new_and_removed(self):
        pairs, appeared, gone = ecosystem.match([f(10, code="ML202")], [f(10, code="ML201")])
        self.assertEqual(pairs, [])
        self.assertEqual([x.code for x in appeared], ["ML201"])
        self.assertEqual([x.code for x in gone], ["ML202"])

    def test_duplicates_pair_one_to_one(self):
        pairs, appeared, _ = ecosystem.match([f(10)], [f(10), f(10)])
        self.assertEqual((len(pairs), len(appeared)), (1, 1))

    def test_modes_never_mix(self):
        pairs, _, _ = ecosystem.match([f(10, mode="zero-config")], [f(10, mode="real-targets")])
        self.assertEqual(pairs, [])


class EndToEndTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        root = Path(self.tmp.name)
        self.corpus = root / "corpus"
        for p in ("p", "empty"):
            (self.corpus / p / "pkg" / "versions").mkdir(parents=True)
        (self.corpus / "MANIFEST.tsv").write_text("package\tversion\np\t1.0\nempty\t2.0\n")
        self.fake = root / "miglint"
        self.fake.write_text(FAKE)
        self.fake.chmod(0o755)
        self.targets = root / "targets.tsv"
        self.targets.write_text("package\tdialects\tevidence\np\tmysql\tdocs\nempty\tsqlite\tdocs\n")
        self.baseline = root / "baseline.tsv"
        self.canned = root / "canned.json"
        self.pending = root / "pending.tsv"

    def tearDown(self):
        self.tmp.cleanup()

    def run_check(self, canned, *args):
        self.canned.write_text(json.dumps(canned))
        env = dict(os.environ, FAKE_FINDINGS=str(self.canned))
        proc = subprocess.run(
            [sys.executable, str(SCRIPT), "--corpus", str(self.corpus), "--bin", str(self.fake),
             "--baseline", str(self.baseline), "--targets", str(self.targets),
             "--pending", str(self.pending), *args],
            capture_output=True, text=True, env=env)
        return proc.returncode, proc.stdout + proc.stderr

    def rows(self):
        return ecosystem.read_tsv(self.baseline)[1]

    def review(self, verdict):
        text = self.baseline.read_text().replace("\tunreviewed\t\t", f"\t{verdict}\treviewed\t")
        self.baseline.write_text(text)

    def test_update_then_check(self):
        canned = {"p zero-config": [diag("ML201", 10), diag("ML301", 12, "warning")],
                  "p real-targets": [diag("ML111", 5)]}
        code, out = self.run_check(canned, "--update")
        self.assertEqual(code, 0, out)
        rows = self.rows()
        self.assertEqual([(r.mode, r.code, r.line, r.verdict) for r in rows],
                         [("zero-config", "ML201", 10, "unreviewed"), ("zero-config", "ML301", 12, ""),
                          ("real-targets", "ML111", 5, "unreviewed")])
        self.assertEqual(rows[0].file, "pkg/versions/a.py")
        header = self.baseline.read_text()
        self.assertIn("# target\tp==1.0\tmysql\tdocs", header)
        self.assertIn("# no file linted: zero-config empty", header)
        # the same findings again: ok
        code, out = self.run_check(canned)
        self.assertEqual(code, 0, out)
        self.assertIn("ecosystem: ok", out)

    def test_new_error_fails_new_warning_does_not(self):
        self.run_check({"p zero-config": [diag("ML201", 10)]}, "--update")
        code, out = self.run_check({"p zero-config": [diag("ML201", 10), diag("ML301", 30, "warning")]})
        self.assertEqual(code, 0, out)
        code, out = self.run_check({"p zero-config": [diag("ML201", 10), diag("ML202", 30)]})
        self.assertEqual(code, 1, out)
        self.assertIn("1 error(s) not in the baseline", out)
        self.assertIn("ML202", out)

    def test_true_error_gone_fails_false_error_gone_passes(self):
        self.run_check({"p zero-config": [diag("ML201", 10)]}, "--update")
        self.review("true")
        code, out = self.run_check({})
        self.assertEqual(code, 1, out)
        self.assertIn("1 `true` error(s) gone", out)
        self.review_all("false")
        code, out = self.run_check({})
        self.assertEqual(code, 0, out)

    def review_all(self, verdict):
        text = self.baseline.read_text()
        for v in ("true", "unreviewed"):
            text = text.replace(f"\t{v}\t", f"\t{verdict}\t")
        self.baseline.write_text(text)

    def test_true_error_demoted_to_warning_fails(self):
        self.run_check({"p zero-config": [diag("ML201", 10)]}, "--update")
        self.review("true")
        code, out = self.run_check({"p zero-config": [diag("ML201", 10, "warning")]})
        self.assertEqual(code, 1, out)
        self.assertIn("severity changed", out)

    def test_update_carries_verdicts_over_moved_lines(self):
        self.run_check({"p zero-config": [diag("ML201", 10)]}, "--update")
        self.review("false")
        code, out = self.run_check({"p zero-config": [diag("ML201", 14), diag("ML202", 20)]}, "--update")
        self.assertEqual(code, 0, out)
        got = [(r.code, r.line, r.verdict, r.reason) for r in self.rows()]
        self.assertEqual(got, [("ML201", 14, "false", "reviewed"), ("ML202", 20, "unreviewed", "")])

    def test_merge_verdicts_file(self):
        self.run_check({"p zero-config": [diag("ML201", 10)]}, "--update")
        verdicts = Path(self.tmp.name) / "v.tsv"
        verdicts.write_text("mode\tpackage\tfile\tline\tcode\tseverity\tverdict\treason\n"
                            "zero-config\tp\tpkg/versions/a.py\t10\tML201\terror\ttrue\tfails on PG\n")
        proc = subprocess.run([sys.executable, str(SCRIPT), "--baseline", str(self.baseline),
                               "--verdicts", str(verdicts)], capture_output=True, text=True)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual([(r.verdict, r.reason) for r in self.rows()], [("true", "fails on PG")])
        self.assertIn("ML201", proc.stdout)  # the per-rule table

    def test_verdict_for_every_mode(self):
        both = [diag("ML201", 10)]
        self.run_check({"p zero-config": both, "p real-targets": both}, "--update")
        verdicts = Path(self.tmp.name) / "v.tsv"
        verdicts.write_text("mode\tpackage\tfile\tline\tcode\tseverity\tverdict\treason\n"
                            "*\tp\tpkg/versions/a.py\t10\tML201\terror\tfalse\tguarded\n")
        code, out = self.run_check({"p zero-config": both, "p real-targets": both},
                                   "--update", "--verdicts", str(verdicts))
        self.assertEqual(code, 0, out)
        self.assertEqual([(r.mode, r.verdict) for r in self.rows()],
                         [("zero-config", "false"), ("real-targets", "false")])

    def test_pending_verdicts_reach_new_findings_only(self):
        self.run_check({"p zero-config": [diag("ML201", 10)]}, "--update")
        self.review("true")
        self.pending.write_text("mode\tpackage\tfile\tline\tcode\tseverity\tverdict\treason\n"
                                "*\tp\tpkg/versions/a.py\t10\tML201\terror\tfalse\told\n"
                                "*\tp\tpkg/versions/a.py\t20\tML202\terror\tunsure\tearly\n")
        code, out = self.run_check({"p zero-config": [diag("ML201", 10), diag("ML202", 20)]}, "--update")
        self.assertEqual(code, 0, out)
        self.assertEqual([(r.code, r.verdict, r.reason) for r in self.rows()],
                         [("ML201", "true", "reviewed"), ("ML202", "unsure", "early")])

    def test_tool_failure_fails(self):
        self.fake.write_text("#!/bin/sh\necho boom >&2\nexit 101\n")
        code, out = self.run_check({})
        self.assertEqual(code, 1, out)
        self.assertIn("miglint failed", out)


if __name__ == "__main__":
    unittest.main()
