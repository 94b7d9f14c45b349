"""The README's copy-paste recipes, extracted and run (scripts/test-install).

Each recipe is the first fenced code block after a ``<!-- recipe: NAME -->``
comment in README.md, so the test runs exactly what users copy.

    recipes.py block NAME                 print a recipe
    recipes.py pre-commit-config REPO REV the pre-commit recipe, pointed at a local clone
    recipes.py ci PROJECT                 run the GitHub Actions and GitLab CI
                                          recipes in PROJECT (a git work tree) with
                                          the `miglint` on PATH, check what they leave

Needs PyYAML (the tools venv has it: pre-commit depends on it).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import yaml

README = Path(__file__).resolve().parents[2] / "README.md"


def block(name: str) -> str:
    text = README.read_text()
    marker = f"<!-- recipe: {name} -->"
    at = text.find(marker)
    if at < 0:
        sys.exit(f"recipes.py: no `{marker}` in README.md")
    m = re.compile(r"```[a-z]*\n(.*?)```", re.S).search(text, at)
    if not m:
        sys.exit(f"recipes.py: no code block after `{marker}`")
    return m.group(1)


def installs(line: str) -> bool:
    """An install command: the test uses the wheel it just built instead."""
    return bool(re.match(r"\s*(pip|pipx|uv|cargo) (install|tool install)\b", line))


def run_lines(lines: list[str], cwd: Path) -> None:
    for line in lines:
        if installs(line):
            print(f"  (skipped: {line.strip()})", file=sys.stderr)
            continue
        print(f"  $ {line.strip()}", file=sys.stderr)
        done = subprocess.run(["bash", "-c", line], cwd=cwd)
        print(f"    exit {done.returncode}", file=sys.stderr)


def check_github(project: Path) -> None:
    workflow = yaml.safe_load(block("github-actions"))
    (job,) = workflow["jobs"].values()
    steps = job["steps"]
    assert any(s.get("uses", "").startswith("github/codeql-action/upload-sarif") for s in steps)
    for step in steps:
        if "run" not in step:
            continue
        # every step is run: an annotation step that fails (exit 1) fails the
        # job, and the SARIF steps run anyway (`if: always()`)
        print(f"  step: {step.get('name', step['run'].strip())}", file=sys.stderr)
        lines = [l for l in step["run"].splitlines() if l.strip()]
        if any("--output-format github" in l for l in lines):
            out = subprocess.run(
                ["bash", "-c", "\n".join(lines)], cwd=project, capture_output=True, text=True
            )
            annotations = [l for l in out.stdout.splitlines() if l.startswith("::")]
            assert out.returncode == 1, out
            assert annotations and all(
                re.match(r"::(error|warning|notice) file=[^./][^,]*,line=\d+", a) for a in annotations
            ), out.stdout
            print(f"    {len(annotations)} annotations, e.g. {annotations[0][:100]}", file=sys.stderr)
        else:
            run_lines(lines, project)
    upload = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif"))
    sarif = json.loads((project / upload["with"]["sarif_file"]).read_text())
    assert sarif["version"] == "2.1.0"
    results = sarif["runs"][0]["results"]
    assert results, "no SARIF results"
    uri = results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert not uri.startswith(("./", "/", "file:")), uri
    print(f"    {upload['with']['sarif_file']}: {len(results)} results, e.g. {uri}", file=sys.stderr)


def check_gitlab(project: Path) -> None:
    config = yaml.safe_load(block("gitlab-ci"))
    (job,) = config.values()
    run_lines(job["script"], project)
    reports = job["artifacts"]["reports"]
    issues = json.loads((project / reports["codequality"]).read_text())
    assert issues and all(i["fingerprint"] and not i["location"]["path"].startswith("./") for i in issues)
    suite = ET.parse(project / reports["junit"]).getroot()
    failures = int(suite.get("failures"))
    assert failures > 0, "no JUnit failures"
    print(
        f"    {reports['codequality']}: {len(issues)} issues; {reports['junit']}: "
        f"{suite.get('tests')} test cases, {failures} failing",
        file=sys.stderr,
    )


def main() -> None:
    cmd, *args = sys.argv[1:]
    if cmd == "block":
        sys.stdout.write(block(args[0]))
    elif cmd == "pre-commit-config":
        repo, rev = args
        config = yaml.safe_load(block("pre-commit"))
        (entry,) = config["repos"]
        assert [h["id"] for h in entry["hooks"]] == ["miglint"]
        entry["repo"], entry["rev"] = repo, rev
        sys.stdout.write(yaml.safe_dump(config))
    elif cmd == "ci":
        project = Path(args[0])
        check_github(project)
        check_gitlab(project)
    else:
        sys.exit(f"recipes.py: unknown command {cmd}")


if __name__ == "__main__":
    main()
