#!/usr/bin/env python3
"""Checks the links of the documentation (run by .ci/run):

every relative link in README.md, docs/*.md and events/README.md must name a file or directory
that exists, and a `#anchor` on a Markdown target (or on the page itself) must match one of its
headings as GitHub renders them: lower case, spaces to hyphens, every character other than
letters, digits, hyphens and underscores removed, and `-1`, `-2`, ... appended to repeated
headings. External http(s) links are counted, never fetched (CI has no network).

    scripts/check_links.py              check the repository; exit 1 with one line per broken link
    scripts/check_links.py --self-test  prove the check can fail: a temporary tree with one good
                                        link, one to a missing file and one to a missing anchor

Standard library only.
"""
import pathlib
import re
import sys
import tempfile
import unicodedata
import urllib.parse

ROOT = pathlib.Path(__file__).resolve().parent.parent

FENCE = re.compile(r"^\s{0,3}(```+|~~~+)")
ATX_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
SETEXT_UNDERLINE = re.compile(r"^\s{0,3}(=+|-+)\s*$")
REFERENCE_DEFINITION = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?")
HTML_ANCHOR = re.compile(r"<a\s[^>]*(?:name|id)=\"([^\"]+)\"", re.I)
CODE_SPAN = re.compile(r"(`+)(.+?)\1")
AUTOLINK = re.compile(r"<(https?://[^>\s]+)>")


def documents(root):
    """The Markdown files whose links are checked."""
    files = [root / "README.md", root / "events" / "README.md"]
    files += sorted((root / "docs").glob("*.md"))
    return [f for f in files if f.is_file()]


def prose_lines(text):
    """(line number, line) outside fenced code blocks."""
    fence = None
    for number, line in enumerate(text.split("\n"), start=1):
        match = FENCE.match(line)
        if match:
            marker = match.group(1)
            if fence is None:
                fence = marker[0] * 3
            elif marker.startswith(fence):
                fence = None
            continue
        if fence is None:
            yield number, line


def heading_text(markdown):
    """The text GitHub renders for a heading's Markdown (code, links and emphasis unwrapped)."""
    text = CODE_SPAN.sub(lambda m: m.group(2).strip(), markdown)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"<[^>]+>", "", text)
    text = re.sub(r"(\*+)(\S.*?\S|\S)\1", r"\2", text)
    return text.strip()


def slug(text):
    """GitHub's anchor for a heading's text."""
    kept = []
    for char in text.lower():
        if char.isalnum() or char in "-_ " or unicodedata.category(char).startswith("M"):
            kept.append(char)
    return "".join(kept).replace(" ", "-")


def anchors(path, cache={}):
    """Every anchor a Markdown file offers."""
    if path not in cache:
        found, seen = set(), {}
        previous = None
        for _, line in prose_lines(path.read_text(encoding="utf-8")):
            heading = None
            match = ATX_HEADING.match(line)
            if match:
                heading = match.group(2)
            elif previous and previous.strip() and SETEXT_UNDERLINE.match(line) and not (
                line.strip().startswith("-") and previous.lstrip().startswith(("-", "*", "|"))
            ):
                heading = previous
            if heading is not None:
                base = slug(heading_text(heading))
                count = seen.get(base, 0)
                seen[base] = count + 1
                found.add(base if count == 0 else f"{base}-{count}")
            found.update(HTML_ANCHOR.findall(line))
            previous = line
        cache[path] = found
    return cache[path]


def link_targets(line):
    """Targets of the inline links, images and reference definitions on one line."""
    line = CODE_SPAN.sub("", line)
    targets = [m.group(1) for m in AUTOLINK.finditer(line)]
    definition = REFERENCE_DEFINITION.match(line)
    if definition:
        targets.append(definition.group(1))
        return targets
    start = 0
    while True:
        opening = line.find("](", start)
        if opening < 0:
            return targets
        depth, end = 1, opening + 2
        while end < len(line) and depth:
            depth += {"(": 1, ")": -1}.get(line[end], 0)
            end += 1
        if depth == 0:
            inner = line[opening + 2:end - 1].strip()
            if inner.startswith("<") and ">" in inner:
                inner = inner[1:inner.index(">")]
            else:
                inner = inner.split()[0] if inner else inner
            if inner:
                targets.append(inner)
        start = end


def check(root):
    """(broken-link lines, counts) for the documentation under `root`."""
    broken = []
    counts = {"files": 0, "relative": 0, "anchors": 0, "external": 0, "other": 0}
    for document in documents(root):
        counts["files"] += 1
        shown = document.relative_to(root).as_posix()
        for number, line in prose_lines(document.read_text(encoding="utf-8")):
            for target in link_targets(line):
                scheme = urllib.parse.urlsplit(target).scheme
                if scheme in ("http", "https"):
                    counts["external"] += 1
                    continue
                if scheme:
                    counts["other"] += 1
                    continue
                counts["relative"] += 1
                path_part, _, anchor = target.partition("#")
                path_part = urllib.parse.unquote(path_part)
                if not path_part:
                    resolved = document
                elif path_part.startswith("/"):
                    resolved = root / path_part.lstrip("/")
                else:
                    resolved = document.parent / path_part
                if not resolved.exists():
                    broken.append(f"{shown}:{number}: {target}: no such file")
                    continue
                if not anchor:
                    continue
                counts["anchors"] += 1
                if resolved.is_file() and resolved.suffix.lower() == ".md":
                    wanted = urllib.parse.unquote(anchor).lower()
                    if wanted not in anchors(resolved):
                        where = resolved.resolve().relative_to(root.resolve()).as_posix()
                        broken.append(f"{shown}:{number}: {target}: no heading with anchor "
                                      f"#{wanted} in {where}")
    return broken, counts


def summary(counts):
    return (f"check_links: {counts['relative']} relative links ({counts['anchors']} with an anchor) "
            f"in {counts['files']} files resolve; {counts['external']} external links counted, "
            f"not fetched")


def self_test():
    """A tree with one good link, one to a missing file and one to a missing anchor: both broken
    ones must be reported, the good one not."""
    with tempfile.TemporaryDirectory() as tmp:
        root = pathlib.Path(tmp)
        (root / "docs").mkdir()
        (root / "docs" / "guide.md").write_text(
            "# Guide\n\n## Shared VPCs, teardown and Terraform\n\nText.\n", encoding="utf-8")
        (root / "README.md").write_text(
            "# Test\n\n"
            "[good](docs/guide.md#shared-vpcs-teardown-and-terraform)\n"
            "[missing file](docs/missing.md)\n"
            "[missing anchor](docs/guide.md#no-such-heading)\n"
            "[external](https://example.com/)\n"
            "```\n[inside a code block](docs/ignored.md)\n```\n",
            encoding="utf-8")
        broken, counts = check(root)
    problems = []
    if not any("docs/missing.md: no such file" in line for line in broken):
        problems.append("the link to a missing file was not reported")
    if not any("#no-such-heading" in line for line in broken):
        problems.append("the link to a missing anchor was not reported")
    if len(broken) != 2:
        problems.append(f"expected exactly 2 broken links, got {len(broken)}: {broken}")
    if counts["external"] != 1 or counts["relative"] != 3:
        problems.append(f"unexpected counts: {counts}")
    expected_slugs = {
        "Build — target: clean release build ≤ 15 min": "build--target-clean-release-build--15-min",
        "Peak memory at 3,000 VPCs": "peak-memory-at-3000-vpcs",
        "2. A trail that feeds the event path (every guarded Region)":
            "2-a-trail-that-feeds-the-event-path-every-guarded-region",
        "moto quirks the tests work around (moto 5.2)": "moto-quirks-the-tests-work-around-moto-52",
        "`vpce-guard plan`": "vpce-guard-plan",
    }
    for heading, expected in expected_slugs.items():
        got = slug(heading_text(heading))
        if got != expected:
            problems.append(f"slug of {heading!r} is {got!r}, expected {expected!r}")
    for problem in problems:
        print(f"check_links --self-test: {problem}", file=sys.stderr)
    if problems:
        return 1
    print("check_links --self-test: a missing file and a missing anchor are both reported, the good "
          f"link is not ({len(expected_slugs)} heading anchors as GitHub makes them)")
    return 0


def main(argv):
    if argv[1:] == ["--self-test"]:
        return self_test()
    if argv[1:]:
        print(__doc__, file=sys.stderr)
        return 2
    broken, counts = check(ROOT)
    for line in broken:
        print(line)
    if broken:
        print(f"check_links: {len(broken)} broken link(s)", file=sys.stderr)
        return 1
    print(summary(counts))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
