"""Find what would run in a browser, by parsing HTML rather than searching its text."""

from html.parser import HTMLParser

DANGEROUS_TAGS = {
    "script",
    "iframe",
    "object",
    "embed",
    "svg",
    "math",
    "style",
    "base",
    "form",
    "meta",
}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "poster", "srcset"}


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in DANGEROUS_TAGS:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.found.append(f"{tag}[{name}]")
            if name in URL_ATTRIBUTES and _scheme(value or "") in {
                "javascript",
                "data",
                "vbscript",
            }:
                self.found.append(f"{tag}[{name}={value}]")


def _scheme(url: str) -> str:
    cleaned = "".join(ch for ch in url if ch > " ").lower()
    return cleaned.split(":", 1)[0] if ":" in cleaned else ""


def active_content(html: str) -> list[str]:
    """Scripts, event handlers, styles and script/data URLs in an HTML fragment."""
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return collector.found
