"""The README's promises: its two commands, its excerpt, what CI runs."""

from __future__ import annotations

import re

from .conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def quick_start_commands() -> list[str]:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section)


def test_quick_start_is_exactly_two_commands():
    commands = quick_start_commands()
    assert len(commands) == 2
    assert commands[0].endswith("newsgen generate")
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_test_command():
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert quick_start_commands()[1] in ci.splitlines()


def test_readme_excerpt_is_real_output():
    excerpt = README.split("```markdown\n", 1)[1].split("\n```", 1)[0]
    article = (REPO / "examples" / "articles" / "pilgub-kaltim-2024" / "index.md").read_text(encoding="utf-8")
    assert article.startswith(excerpt + "\n")
