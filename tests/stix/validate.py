#!/usr/bin/env python3
"""Validates STIX bundles written by `dossier build` with stix2-validator.

Usage: validate.py BUNDLE.json...

Strict mode (every warning is an error), with custom types and properties
reported and every reference required to resolve inside the bundle. Only
the best-practice checks listed in EXPECTED are left out of the strict run,
and a second, lenient run shows that they are the only warnings there are.
docs/exports.md explains why each is expected.
"""

import json
import re
import sys
from collections import Counter

from stix2validator import ValidationOptions, validate_file

# Warning code -> why it is expected (see docs/exports.md, "Validator").
EXPECTED = {
    "103": "uuid-check: ids are UUIDv5 (deterministic builds), the check wants v4 for SDOs and SROs",
    "302": "extref-hashes: sources are cited by URL only; a page that changes has no stable hash",
}

COMMON = dict(version="2.1", strict_types=True, strict_properties=True, enforce_refs=True)


def check(path):
    print(f"-- {path}")
    ok = True

    strict = validate_file(path, ValidationOptions(strict=True, disabled=list(EXPECTED), **COMMON))
    for result in strict.object_results:
        for message in result.errors:
            print(f"   error: {message}")
        for message in result.warnings:
            print(f"   unexpected warning: {message}")
    if strict.fatal:
        print(f"   fatal: {strict.fatal}")
    if not strict.is_valid:
        ok = False
    print(f"   strict run (all checks but {', '.join(EXPECTED)}): {'valid' if strict.is_valid else 'INVALID'}")

    lenient = validate_file(path, ValidationOptions(**COMMON))
    codes = Counter()
    for result in lenient.object_results:
        ok &= not result.errors
        for message in result.warnings:
            match = re.search(r"\{(\d+)\}", message)
            code = match.group(1) if match else "?"
            codes[code] += 1
            if code not in EXPECTED:
                print(f"   unexpected warning: {message}")
                ok = False
    for code, count in sorted(codes.items()):
        why = EXPECTED.get(code, "NOT EXPECTED")
        print(f"   {count:5} warnings {{{code}}}: {why}")
    with open(path, encoding="utf-8") as f:
        objects = len(json.load(f).get("objects", []))
    print(f"   {objects} objects checked: {'ok' if ok else 'FAILED'}")
    return ok


def main(paths):
    if not paths:
        print(__doc__, file=sys.stderr)
        return 2
    results = [check(path) for path in paths]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
