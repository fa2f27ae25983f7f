"""One stylesheet per page: the bundle keeps the cascade, the imports and the url()s."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from conftest import HTML, ROOT, jupyter_book_build, pages
from russia_iran.stylesheets import MANIFEST, Bundles, StylesheetError, concatenate

HEAD = ('<html><head><meta charset="utf-8" />\n'
        '<link href="../_static/styles/theme.css?digest=1" rel="stylesheet" />\n'
        '<link rel="stylesheet" type="text/css" href="../_static/extra.css?v=2" />\n'
        '<link rel="stylesheet" href="../_static/print.css" media="print" />\n'
        '<script src="x.js"></script></head><body><p>text</p></body></html>')


def site(tmp_path: Path) -> Path:
    static = tmp_path / "_static"
    (static / "styles").mkdir(parents=True)
    (static / "fonts").mkdir()
    (static / "basic.css").write_text("div.a { background: url(file.png); }\n")
    (static / "styles" / "theme.css").write_text(
        '@charset "UTF-8";\n@import "../basic.css";\n'
        "@font-face { src: url('../fonts/f.woff2?v=1') format('woff2'); }\n"
        '.b { background: url("data:image/svg+xml;x") }\n/*# sourceMappingURL=theme.css.map */\n')
    (static / "extra.css").write_text(".c { color: red; }\n")
    (static / "print.css").write_text(".d { display: none; }\n")
    return tmp_path


def write_page(root: Path, where: str = "chapters/one.html") -> Path:
    page = root / where
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(HEAD, encoding="utf-8")
    return page


def build_one_page(root: Path) -> str:
    """One build that writes chapters/one.html: the rewritten page (its bundle written)."""
    page = write_page(root)
    bundles = Bundles(root)
    html = bundles.rewrite(page, page.read_text())
    bundles.write()
    return html


def bundle_of(root: Path, html: str) -> tuple[Path, str]:
    href = re.search(r'href="([^"]*styles-[0-9a-f]+\.css)\?v=([0-9a-f]+)"', html)
    return root / "_static" / Path(href[1]).name, href[2]


def test_a_page_links_one_bundle_in_the_order_of_its_stylesheets(tmp_path):
    root = site(tmp_path)
    html = build_one_page(root)
    assert html.count('rel="stylesheet"') == 2, "one bundle, and the print stylesheet left alone"
    assert 'href="../_static/print.css" media="print"' in html
    assert "theme.css" not in html and "extra.css" not in html
    bundle, _ = bundle_of(root, html)
    text = bundle.read_text()
    assert text.startswith('@charset "UTF-8";') and text.count("@charset") == 1
    assert "@import" not in text and "sourceMappingURL" not in text
    # basic.css (imported first), then the rest of theme.css, then extra.css: the cascade is unchanged
    assert text.index("div.a") < text.index("@font-face") < text.index(".c {")
    assert ".d {" not in text


def test_url_references_still_name_the_same_files(tmp_path):
    root = site(tmp_path)
    bundle, _ = bundle_of(root, build_one_page(root))
    urls = re.findall(r'url\("([^"]+)"\)', bundle.read_text())
    assert (bundle.parent / urls[0]).resolve() == (root / "_static" / "file.png").resolve()
    assert urls[1] == "fonts/f.woff2?v=1"
    assert '"data:image/svg+xml;x"' in bundle.read_text(), "data: addresses are not rebased"


def test_pages_in_other_folders_share_the_bundle(tmp_path):
    root = site(tmp_path)
    bundles = Bundles(root)
    deep = bundles.rewrite(write_page(root), HEAD)
    top = write_page(root, "index.html")
    shallow = bundles.rewrite(top, HEAD.replace("../", ""))
    assert bundle_of(root, deep) == bundle_of(root, shallow)
    assert '"_static/styles-' in shallow and '"../_static/styles-' in deep


def test_a_later_build_refreshes_the_bundle_of_pages_it_did_not_write(tmp_path):
    root = site(tmp_path)
    html = build_one_page(root)
    (root / "_static" / "extra.css").write_text(".c { color: blue; }\n")
    later = Bundles(root)  # this build wrote no page
    later.write()
    bundle, _ = bundle_of(root, html)
    assert ".c { color: blue; }" in bundle.read_text()
    assert (root / MANIFEST).is_file()


def test_a_missing_stylesheet_leaves_the_page_as_it_was(tmp_path):
    root = site(tmp_path)
    page = write_page(root)
    (root / "_static" / "extra.css").unlink()
    assert Bundles(root).rewrite(page, HEAD) == HEAD


def test_an_import_from_another_host_fails_clearly(tmp_path):
    root = site(tmp_path)
    (root / "_static" / "extra.css").write_text('@import url("https://fonts.example.org/a.css");\n')
    with pytest.raises(StylesheetError, match="extra.css imports https://fonts.example.org/a.css"):
        Bundles(root).rewrite(write_page(root), HEAD)


def test_the_built_book_has_one_stylesheet_per_page_and_its_urls_resolve(built_book):
    for page in pages():
        text = page.read_text(encoding="utf-8")
        links = re.findall(r'<link\b[^>]*rel="stylesheet"[^>]*>', text[:text.find("</head>")])
        if links:
            assert len(links) == 1 and "_static/styles-" in links[0], page
    bundles = list((HTML / "_static").glob("styles-*.css"))
    assert bundles
    for bundle in bundles:
        for target in re.findall(r'url\("([^"]+)"\)', bundle.read_text(encoding="utf-8")):
            if not target.startswith("data:"):
                assert (bundle.parent / target.split("?")[0]).is_file(), f"{bundle.name} names a missing {target}"


@pytest.mark.parametrize("record", ["not json", '["a list"]', '{"_static/styles-x.css": "not a list"}'])
def test_a_damaged_record_of_bundles_is_rebuilt(tmp_path, record):
    root = site(tmp_path)
    (root / MANIFEST).write_text(record)
    html = build_one_page(root)
    bundle, _ = bundle_of(root, html)
    assert bundle.is_file()
    assert list(json.loads((root / MANIFEST).read_text())) == [f"_static/{bundle.name}"]


def test_the_bundle_holds_the_stylesheets_as_a_build_leaves_them(built_book):
    """pydata-sphinx-theme rewrites pygments.css (adding its dark-mode colours) at
    the end of a build that writes pages: the bundle must hold that version."""
    os.utime(ROOT / "start" / "using_this_book.md")  # Sphinx writes the page again and copies _static
    result = jupyter_book_build()
    assert result.returncode == 0, result.stdout[-3000:]
    record = json.loads((HTML / MANIFEST).read_text(encoding="utf-8"))
    assert record
    for name, sources in record.items():
        assert (HTML / name).read_text(encoding="utf-8") == concatenate(HTML, sources), name
