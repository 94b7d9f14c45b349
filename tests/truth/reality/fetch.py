"""Fetches the reality check's projects when no corpus is at hand (a fresh
clone in CI has no ../shared corpus): `pip download` of the exact release
projects.toml pins for each project (the flags of the corpus's own fetch
script: one CPython 3.11 / manylinux wheel, no dependencies, nothing
built), and the project's versions folder extracted into DEST with the
corpus's layout (DEST/<name>/<path inside the wheel>) and a MANIFEST.tsv.
Third-party code: DEST is a cache outside the repository.

    python fetch.py DEST      prints DEST once it is complete
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
PIP_FLAGS = ["--no-deps", "--only-binary", ":all:", "--python-version", "3.11", "--implementation", "cp",
             "--abi", "cp311", "--platform", "manylinux_2_28_x86_64", "--platform", "any"]


def wheel_of(dl: Path, name: str, version: str) -> Path:
    norm = name.replace("-", "_").replace(".", "_").lower()
    for w in sorted(dl.glob("*.whl")):
        if w.name.lower().startswith(f"{norm}-{version}-"):
            return w
    raise SystemExit(f"fetch: no wheel of {name}=={version} in {dl}")


def main() -> int:
    dest = Path(sys.argv[1]).resolve()
    if (dest / "MANIFEST.tsv").is_file():
        print(dest)
        return 0
    part = dest.with_name(dest.name + ".part")
    shutil.rmtree(part, ignore_errors=True)
    dl = part / "dl"
    dl.mkdir(parents=True)
    projects = tomllib.loads((HERE / "projects.toml").read_text())["project"]
    rows = ["package\tversion\tarchive\tmigration_files\tlines"]
    for p in projects:
        name, version, versions = p["name"], p["version"], p["versions"].rstrip("/") + "/"
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
                        *PIP_FLAGS, "-d", str(dl), f"{name}=={version}"], check=True, stdout=sys.stderr)
        wheel = wheel_of(dl, name, version)
        n = lines = 0
        with zipfile.ZipFile(wheel) as z:
            for m in z.namelist():
                rel = m[len(versions):] if m.startswith(versions) else None
                if not rel or not rel.endswith(".py") or rel.startswith("__") or "/" in rel:
                    continue
                data = z.read(m)
                if b"down_revision" not in data:
                    continue
                out = part / name / m
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_bytes(data)
                n += 1
                lines += data.count(b"\n")
        if n == 0:
            raise SystemExit(f"fetch: {wheel.name} has no revision under {versions}")
        rows.append(f"{name}\t{version}\t{wheel.name}\t{n}\t{lines}")
    shutil.rmtree(dl)
    (part / "MANIFEST.tsv").write_text("\n".join(rows) + "\n")
    shutil.rmtree(dest, ignore_errors=True)
    part.rename(dest)
    print(dest)
    return 0


if __name__ == "__main__":
    sys.exit(main())
