"""How often one sentence skeleton recurs across a night's articles.

Usage::

    python scripts/repetition.py ARTICLES_DIR        # a folder newsgen generate wrote
    python scripts/repetition.py --tree TREE_DIR     # a Sirekap object-store tree, rendered here

A sentence's skeleton is the sentence with its names and numbers masked: every
figure (``962.804``, ``55,66%``, ``28/11/2024``), every number or position in
words (``delapan``, ``ketiga``), every run of capitalised words (a name, a place,
``KPU Provinsi Kalimantan Timur``; a sentence's first word only when it is not a
word of newsgen's own wording), URLs and links. For each skeleton it prints the share of articles
that hold it, most frequent first. The house rule (``LIMIT``): no skeleton other
than the legally needed caveat (``stock.caveat`` of ``publication.yaml``) is in
more than 25% of articles. Chart lines, "Baca Juga" lines, tables and the
sign-off alone are not sentences of the story and are left out.
Exit code 1 when the limit is passed.
"""

from __future__ import annotations

import argparse
import functools
import re
import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from generator.audit import sentences_of  # noqa: E402
from generator.config import Config, load_config, stock_texts  # noqa: E402

#: No skeleton but the caveat may be in more of the night's articles than this.
LIMIT = 0.25

_WORDS = ("nol|satu|dua|tiga|empat|lima|enam|tujuh|delapan|sembilan|sepuluh|sebelas|seratus|pertama|kedua|ketiga"
          "|keempat|kelima|keenam|ketujuh|kedelapan|kesembilan|kesepuluh|kesebelas")
_NUMBER_WORD = re.compile(rf"\b(?:{_WORDS})(?: (?:belas|puluh))?\b", re.IGNORECASE)
_NUMBER = re.compile(r"\d(?:[\d.,/:]*\d)?%?")
_URL = re.compile(r"https?://\S+|\[[^\]]*\]\([^)]*\)")
#: A capitalised word (names carry titles, initials, hyphens and apostrophes: "H.", "M.Si.", "Mas'ud").
_CAPITAL = r"[A-Z][\w'’.\-]*"
_NAME_RUN = re.compile(rf"{_CAPITAL}(?:,? (?:{_CAPITAL}|#|-))*")
_SKIPPED = re.compile(r"^\s*(?:!\[|\*\*Baca Juga|\{\{<|\||\(\*\)\s*$)")


def mask(sentence: str) -> str:
    """The skeleton of one sentence: names, numbers, URLs masked (``X``, ``N``, ``U``; a number
    inside a name, "Kecamatan Sintetis 350704", goes with the name)."""
    text = _URL.sub("U", sentence)
    text = _NUMBER.sub("#", text)
    text = _NUMBER_WORD.sub("#", text)
    first, _, rest = text.partition(" ")
    keep_first = bool(rest) and first.lower().strip(",;:") in _vocabulary()
    body = _NAME_RUN.sub("X", rest if keep_first else text)
    body = re.sub(r"X(?:[ ,.\-]+X)+", "X", body)
    return (f"{first} {body}" if keep_first else body).replace("#", "N")


@functools.cache
def _vocabulary() -> frozenset[str]:
    """Every word newsgen's own wording uses (templates, phrases, stock sentences), in lower case:
    a sentence's first word is kept when it is one of them ("Raihan"), masked when it is not
    (a name: "Rudy-Seno")."""
    texts = [p.read_text(encoding="utf-8") for p in (REPO_ROOT / "templates" / "id").rglob("*") if p.is_file()]
    texts.append((REPO_ROOT / "config" / "publication.yaml").read_text(encoding="utf-8"))
    return frozenset(w.lower() for text in texts for w in re.findall(r"[A-Za-z]+", text))


def skeletons(body: str) -> set[str]:
    """The skeletons of one article body (Markdown without front matter)."""
    kept = "\n".join(line for line in body.splitlines() if not _SKIPPED.match(line))
    out = set()
    for sentence in sentences_of(kept):
        sentence = sentence.removesuffix("(*)").strip()
        if sentence and sentence != "(*)":
            out.add(mask(sentence))
    return out


def exempt(config: Config) -> set[str]:
    """Skeletons of the caveat, which every article must carry (each variant, placeholders masked)."""
    out: set[str] = set()
    for name, variants in stock_texts(config.publication).items():
        if name.startswith("caveat."):
            for text in variants:
                out |= skeletons(re.sub(r"\{\{.*?\}\}", "KPU Provinsi X", text))
    return out


def count(bodies: Iterable[str]) -> tuple[Counter[str], int]:
    """How many of the bodies hold each skeleton, and how many bodies there were."""
    counter: Counter[str] = Counter()
    total = 0
    for body in bodies:
        counter.update(skeletons(body))
        total += 1
    return counter, total


def worst(counter: Counter[str], total: int, exempted: set[str]) -> tuple[str, float]:
    """The most frequent skeleton that is not exempt, and its share of the articles."""
    for skeleton, n in counter.most_common():
        if skeleton not in exempted:
            return skeleton, n / total
    return "", 0.0


def bodies_of(folder: Path) -> Iterable[str]:
    """The bodies of the articles newsgen wrote in ``folder`` (files with a ``race`` in their front matter)."""
    for path in sorted(folder.rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        if text.startswith("---\n") and "\n---\n" in text[4:]:
            head, body = text[4:].split("\n---\n", 1)
            if re.search(r"^\s+race: ", head, re.MULTILINE):
                yield body


def bodies_of_tree(tree: Path, config: Config) -> Iterable[str]:
    """Every race of a Sirekap object-store tree rendered as newsgen would (linked, without front matter)."""
    from link_spread import stories_from_tree  # scripts/link_spread.py

    from generator.render import Renderer

    files = {p.relative_to(tree).as_posix(): p.read_bytes() for p in tree.rglob("*.json")}
    renderer = Renderer(config)
    for story in stories_from_tree(files, config):
        yield renderer.body(story)


def report(counter: Counter[str], total: int, exempted: set[str], top: int) -> list[str]:
    lines = [f"{total} articles; the {top} most frequent sentence skeletons (names X, numbers N):"]
    for skeleton, n in counter.most_common(top):
        note = "  [caveat: exempt]" if skeleton in exempted else ""
        lines.append(f"{n / total:6.1%} {n:5d}  {skeleton}{note}")
    skeleton, share = worst(counter, total, exempted)
    lines.append(f"most frequent skeleton other than the caveat: {share:.1%} (limit {LIMIT:.0%}): {skeleton}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Print how often each sentence skeleton recurs across a night's "
                                                 "articles. Example: python scripts/repetition.py out/")
    parser.add_argument("articles", type=Path, nargs="?", help="a folder of generated articles")
    parser.add_argument("--tree", type=Path, help="a Sirekap object-store tree (scripts/make_synthetic_tree.py)")
    parser.add_argument("--top", type=int, default=30, help="how many skeletons to list (default 30)")
    args = parser.parse_args(argv)
    if (args.articles is None) == (args.tree is None):
        parser.error("give either ARTICLES_DIR or --tree TREE_DIR")
    config = load_config()
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    bodies = bodies_of(args.articles) if args.tree is None else bodies_of_tree(args.tree, config)
    counter, total = count(bodies)
    if not total:
        print(f"no newsgen articles in {args.articles}", file=sys.stderr)
        return 2
    exempted = exempt(config)
    for line in report(counter, total, exempted, args.top):
        print(line)
    return 1 if worst(counter, total, exempted)[1] > LIMIT else 0


if __name__ == "__main__":
    raise SystemExit(main())
