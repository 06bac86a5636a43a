"""Reading the review page back in tests: a strict HTML tree and the Markdown table."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = frozenset({"meta", "link", "br", "hr", "img", "input"})


@dataclass
class Node:
    tag: str
    attrs: dict[str, str | None] = field(default_factory=dict)
    children: list[Node | str] = field(default_factory=list)

    def text(self) -> str:
        """The text inside, whitespace collapsed as a browser shows it."""
        parts = [c if isinstance(c, str) else c.text() for c in self.children]
        return " ".join("".join(parts).split())

    def find_all(self, tag: str, **attrs: str) -> list[Node]:
        found = []
        for child in self.children:
            if isinstance(child, Node):
                if child.tag == tag and all(child.attrs.get(k.rstrip("_")) == v for k, v in attrs.items()):
                    found.append(child)
                found += child.find_all(tag, **attrs)
        return found

    def find(self, tag: str, **attrs: str) -> Node:
        found = self.find_all(tag, **attrs)
        assert found, f"no <{tag} {attrs}>"
        return found[0]


class StrictParser(HTMLParser):
    """A tree of the page, collecting what html.parser tolerates silently: unclosed or stray tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document")
        self.stack: list[Node] = [self.root]
        self.problems: list[str] = []
        self.doctype = ""

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, dict(attrs))
        self.stack[-1].children.append(node)
        if tag in ("img", "link", "iframe", "object", "embed") or (tag == "script" and "src" in node.attrs):
            self.problems.append(f"external asset: <{tag} {node.attrs}>")
        if tag not in VOID:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if len(self.stack) < 2 or self.stack[-1].tag != tag:
            self.problems.append(f"</{tag}> closes <{self.stack[-1].tag}>")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(page: str) -> StrictParser:
    parser = StrictParser()
    parser.feed(page)
    parser.close()
    assert parser.problems == [] and [n.tag for n in parser.stack] == ["#document"], (parser.problems, parser.stack)
    return parser


def body_rows(page: str) -> list[Node]:
    """The table's rows of races (the empty-report row excluded)."""
    return [tr for tr in parse(page).root.find("tbody").find_all("tr") if "data-status" in tr.attrs]


def cells(row: Node) -> list[str]:
    return [td.text() for td in row.find_all("td")]


def notes(row: Node) -> list[str]:
    """The notes of a row as the page shows them, one per list item."""
    return [li.text() for li in row.find_all("li")]


def md_rows(markdown: str) -> list[list[str]]:
    """Table rows of the Markdown report, split on unescaped pipes."""
    rows = []
    for line in markdown.splitlines():
        if line.startswith("| ") and not line.startswith("|---"):
            row = []
            current = ""
            escaped = False
            for char in line[2:-2]:
                if char == "|" and not escaped:
                    row.append(current.strip())
                    current = ""
                else:
                    current += char
                escaped = char == "\\" and not escaped
            row.append(current.strip())
            rows.append(row)
    return rows
