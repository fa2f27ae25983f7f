"""One stylesheet per page instead of a dozen.

The theme and the extensions link eleven stylesheets from every page (one of
them @imports a twelfth). The browser runs no script, so draws no chart, until
all of them have arrived, and over HTTP/1.1 it fetches only six files from a
host at a time, so they queue behind one another and behind the chart
libraries. Measured on chapter 1: the first chart came about 80 ms sooner with
the same CSS in one file, as soon as with no CSS at all.

After a build, each written page's stylesheet links are replaced by one link to
a bundle: the same files, concatenated in the same order (so the cascade is
unchanged), @imports inlined, url() references rebased to the bundle's folder.
A bundle is named after the list of files it holds, and rewritten from the
current files on every build, so pages Sphinx did not rewrite still get
today's styles (as they would from the separate files); its ?v= is a hash of
its content, for caches. The bundles and their lists are recorded in
_static/stylesheet-bundles.json.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

MANIFEST = "_static/stylesheet-bundles.json"
BUNDLE_FOLDER = "_static"
# A stylesheet <link> in <head>, any attribute order; one with a media attribute is left alone.
STYLESHEET_LINK = re.compile(r'<link\b(?=[^>]*\brel="stylesheet")(?![^>]*\bmedia=)[^>]*\bhref="(?P<href>[^"]+)"[^>]*>\s*')
IMPORT = re.compile(r'@import\s+(?:url\()?\s*["\']?(?P<target>[^"\')\s;]+)["\']?\s*\)?\s*;')
CHARSET = re.compile(r'@charset\s+"[^"]*"\s*;')
SOURCE_MAP = re.compile(r"/\*#\s*sourceMappingURL=[^*]*\*/")
URL = re.compile(r'url\(\s*(?P<quote>["\']?)(?P<target>[^"\')]+)(?P=quote)\s*\)')
NOT_RELATIVE = re.compile(r"^(?:[a-z][\w+.-]*:|/|#)", re.I)


class StylesheetError(Exception):
    pass


def _rebase(css: str, source: Path, bundle_folder: Path) -> str:
    """url(x) in source, made relative to the bundle's folder instead."""
    def rebase(match: re.Match) -> str:
        target = match["target"].strip()
        if NOT_RELATIVE.match(target):
            return match[0]
        path, _, suffix = target.partition("?")
        moved = os.path.relpath(source.parent / path, bundle_folder).replace(os.sep, "/")
        return f'url("{moved}{"?" + suffix if suffix else ""}")'
    return URL.sub(rebase, css)


def _inline(source: Path, bundle_folder: Path, seen: tuple[Path, ...] = ()) -> str:
    if source in seen:
        raise StylesheetError(f"{source.name} imports itself")
    try:
        css = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as problem:
        raise StylesheetError(f"cannot read the stylesheet {source}: {problem}") from None
    css = SOURCE_MAP.sub("", CHARSET.sub("", css))
    # The file's own url()s are rebased; an imported file's text arrives rebased already.
    parts, position = [], 0
    for match in IMPORT.finditer(css):
        target = match["target"]
        if NOT_RELATIVE.match(target):
            raise StylesheetError(f"{source.name} imports {target}, which cannot be bundled")
        parts.append(_rebase(css[position:match.start()], source, bundle_folder))
        parts.append(_inline((source.parent / target.split("?")[0]).resolve(), bundle_folder, (*seen, source)))
        position = match.end()
    parts.append(_rebase(css[position:], source, bundle_folder))
    return "".join(parts)


def concatenate(outdir: Path, sources: list[str]) -> str:
    """The bundle's text: the sources (paths under outdir) in order, each marked."""
    folder = outdir / BUNDLE_FOLDER
    parts = ['@charset "UTF-8";']
    for name in sources:
        parts.append(f"/* {name} */\n{_inline((outdir / name).resolve(), folder.resolve())}")
    return "\n".join(parts) + "\n"


class Bundles:
    """The bundles of one build: registered as pages are rewritten, written at the end."""

    def __init__(self, outdir: Path):
        self.outdir = outdir
        self.manifest = outdir / MANIFEST
        try:
            recorded = json.loads(self.manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            recorded = None
        valid = isinstance(recorded, dict) and all(
            isinstance(files, list) and all(isinstance(f, str) for f in files) for files in recorded.values())
        self.sources: dict[str, list[str]] = recorded if valid else {}  # a damaged record is rebuilt from the pages
        self.texts: dict[str, str] = {}
        self.used: set[str] = set()

    def _text(self, name: str) -> str:
        if name not in self.texts:
            self.texts[name] = concatenate(self.outdir, self.sources[name])
        return self.texts[name]

    def rewrite(self, page: Path, html: str) -> str:
        """The page with its stylesheet links replaced by one link to their bundle.
        Left as it is when it has fewer than two, or one is not a file of the site."""
        head = html.find("</head>")
        links = list(STYLESHEET_LINK.finditer(html, 0, head if head >= 0 else 0))
        if len(links) < 2:
            return html
        sources = []
        for link in links:
            href = link["href"].split("?")[0]
            target = (page.parent / href).resolve()
            if NOT_RELATIVE.match(href) or not target.is_file() or self.outdir.resolve() not in target.parents:
                return html
            sources.append(target.relative_to(self.outdir.resolve()).as_posix())
        name = f"{BUNDLE_FOLDER}/styles-{hashlib.sha256(chr(10).join(sources).encode()).hexdigest()[:12]}.css"
        self.sources[name] = sources
        self.used.add(name)
        version = hashlib.sha256(self._text(name).encode()).hexdigest()[:12]
        href = os.path.relpath(self.outdir / name, page.parent).replace(os.sep, "/")
        tag = f'<link rel="stylesheet" type="text/css" href="{href}?v={version}" />\n'
        first, rest = links[0], links[1:]
        kept = html[:first.start()] + tag
        position = first.end()
        for link in rest:
            kept += html[position:link.start()]
            position = link.end()
        return kept + html[position:]

    def write(self) -> None:
        """Write every bundle this site's pages link to, from the current files.
        A bundle of an earlier build whose files are gone is left as it was and forgotten."""
        for name in sorted(self.sources):
            target = self.outdir / name
            try:
                text = self._text(name)
            except StylesheetError:
                if name in self.used:
                    raise
                del self.sources[name]
                continue
            if not target.is_file() or target.read_text(encoding="utf-8") != text:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")
        self.manifest.parent.mkdir(parents=True, exist_ok=True)
        self.manifest.write_text(json.dumps(self.sources, indent=1, sort_keys=True) + "\n", encoding="utf-8")
