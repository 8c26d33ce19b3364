"""Hostile content, and how a test tells whether a page let it through.

Every payload carries the marker "xss": an element, an attribute or a script that a browser
would build from it is found by parsing the page the way a browser does (html.parser), not by
looking for strings, so that escaping done right passes and anything else fails, wherever on
the page it lands (text, an attribute in double or single quotes, a URL, an iframe's srcdoc).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Breaks out of text, of double- and single-quoted attributes, and of a <script> element.
SCRIPT = "<script>xss(1)</script>"
TEXT = 'x"><script>xss(1)</script><xss-tag>\' xss-single=\'1" xss-double="1 </textarea>'
# For short fields: as much of it as fits, still a tag or an attribute break.
SHORT_TEXTS = ['"><xss>', "<xss>", '"xss=1', "<xss"]
# Links a browser would run, in the spellings that get past naive checks.
EXECUTABLE_URLS = [
    "javascript:xss(1)",
    "JaVaScRiPt:xss(2)",
    " javascript:xss(3)",
    "java\tscript:xss(4)",
    "javascript://www.accc.gov.au/%0axss(5)",
    "data:text/html;base64,PHNjcmlwdD54c3MoNik8L3NjcmlwdD4=",
    "vbscript:xss(7)",
]
# A harmless scheme that still tries to break out of the attribute it is written into.
ATTRIBUTE_BREAKING_URL = "https://example.org/?\"><xss-url>'xss-url='1"

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "poster", "background"}
EXECUTABLE_SCHEMES = ("javascript:", "data:", "vbscript:")
C0_AND_SPACE = "".join(chr(code) for code in range(0x21))


def text_payload(max_length: int | None, *, n: int = 0) -> str:
    """The longest payload that fits `max_length`, with `n` appended so values stay unique."""
    suffix = str(n)
    for candidate in [TEXT, *SHORT_TEXTS]:
        if max_length is None or len(candidate) + len(suffix) <= max_length:
            return candidate + suffix
    return "<x"[: max_length or 2]


def is_executable_link(value: str) -> bool:
    """What a browser does to a URL before it looks at the scheme: strip the leading and
    trailing C0 controls and spaces, and drop tabs and newlines anywhere."""
    cleaned = re.sub(r"[\t\n\r]", "", value).strip(C0_AND_SPACE)
    return cleaned.lower().startswith(EXECUTABLE_SCHEMES)


class _Finder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._check(tag, attrs)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._check(tag, attrs)

    def _check(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag.startswith("xss"):
            self.problems.append(f"an injected <{tag}> element")
        if tag == "script":
            self._in_script = True
        for name, value in attrs:
            value = value or ""
            if name.startswith("xss"):
                self.problems.append(f"an injected attribute {name!r} on <{tag}>")
            elif name.startswith("on") and "xss" in value:
                self.problems.append(f"an injected handler {name}={value!r} on <{tag}>")
            elif name in URL_ATTRIBUTES and is_executable_link(value):
                self.problems.append(f"an executable link {name}={value!r} on <{tag}>")
            elif name == "srcdoc":
                # The document inside an iframe is a page of its own.
                self.problems += [f"in an iframe: {p}" for p in unsafe_html(value)]

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and "xss" in data:
            self.problems.append(f"an injected script: {data.strip()[:80]!r}")


def unsafe_html(html: str) -> list[str]:
    """What in `html` a browser would run or build from hostile content; [] when all is well."""
    finder = _Finder()
    finder.feed(html)
    finder.close()
    return finder.problems
