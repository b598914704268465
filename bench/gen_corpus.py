#!/usr/bin/env python3
"""Writes a synthetic dossier for benchmarks: N articles of about 600 words
with a code block and 10 annotations each, N/10 incidents, 200 entities.

    python3 bench/gen_corpus.py OUT_DIR [--articles N]

Deterministic (seeded), so runs are comparable.
"""
import argparse
import os
import random

WORDS = ("state actor network bank transfer malware report panel sanctions "
         "analysis evidence server campaign access operator payment system "
         "intrusion account attribution infrastructure record message theft "
         "advisory investigation agency exchange wallet loader backdoor").split()


def sentence(rng, n):
    words = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--articles", type=int, default=10_000)
    args = parser.parse_args()
    rng = random.Random(42)
    n_articles = args.articles
    n_incidents = max(1, n_articles // 10)
    n_entities = 200
    content = os.path.join(args.out, "content")
    for sub in ("articles", "incidents", "entities"):
        os.makedirs(os.path.join(content, sub), exist_ok=True)
    with open(os.path.join(args.out, "dossier.yaml"), "w") as f:
        f.write('title: "Benchmark dossier"\n')
    for e in range(n_entities):
        with open(os.path.join(content, "entities", f"entity-{e}.yaml"), "w") as f:
            kind = ["actor", "malware", "organisation", "country"][e % 4]
            f.write(f'name: "Entity {e}"\nkind: {kind}\nsummary: "{sentence(rng, 12)}"\n')
    for i in range(n_incidents):
        year = 2000 + i % 20
        with open(os.path.join(content, "incidents", f"incident-{i}.yaml"), "w") as f:
            f.write(f'title: "Incident {i}"\ndate: {year}-{1 + i % 12:02d}-{1 + i % 28:02d}\n'
                    f'actors: [entity-{i % n_entities}]\ntargets: [entity-{(i + 1) % n_entities}]\n'
                    f'summary: |\n  {sentence(rng, 30)}\n')
    for a in range(n_articles):
        paragraphs = []
        quotes = []
        for p in range(10):
            # Each paragraph carries one unique phrase to annotate.
            marker = f"unique marker {a} {p}"
            quotes.append(marker)
            body = [sentence(rng, 12) for _ in range(4)]
            body.insert(2, f"It names the *{marker}* here.")
            paragraphs.append(" ".join(body))
        paragraphs.insert(5, "```rust\nfn main() {\n    let total = 81_000_000;\n    println!(\"{total}\");\n}\n```")
        paragraphs.insert(0, f"## Section {a}")
        year = 2000 + a % 20
        with open(os.path.join(content, "articles", f"article-{a}.md"), "w") as f:
            f.write(f'---\ntitle: "Article {a}"\npublished: {year}-{1 + a % 12:02d}-{1 + a % 28:02d}\n'
                    f'summary: "{sentence(rng, 10)}"\ntags: [bench]\n---\n')
            f.write("\n\n".join(paragraphs) + "\n")
        with open(os.path.join(content, "articles", f"article-{a}.annotations.yaml"), "w") as f:
            for q, quote in enumerate(quotes):
                f.write(f'- quote: "{quote}"\n  kind: claim\n  note: "{sentence(rng, 15)}"\n'
                        f'  incidents: [incident-{(a + q) % n_incidents}]\n'
                        f'  entities: [entity-{(a * 3 + q) % n_entities}]\n'
                        f'  sources: ["https://example.org/{a}/{q}"]\n')


if __name__ == "__main__":
    main()
