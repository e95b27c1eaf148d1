"""Read the forms off a rendered page, as a browser would send them.

`forms(html)` returns each <form> with its action, method and the data a
person pressing its first submit button would send (defaults filled in:
text values, the selected or first option, ticked boxes). Tests then change
one field and post, so they exercise the real form, not a hand-made dict.
"""

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class PageForm:
    action: str
    method: str
    data: dict[str, list[str]] = field(default_factory=dict)
    # Every field a person can type into or choose (not hidden, not buttons), in page order.
    typed: list[str] = field(default_factory=list)
    submits: list[tuple[str, str]] = field(default_factory=list)

    def payload(self, **changes) -> dict[str, list[str]]:
        data = {name: list(values) for name, values in self.data.items()}
        for name, value in changes.items():
            data[name] = value if isinstance(value, list) else [value]
        if self.submits and self.submits[0][0]:
            data.setdefault(self.submits[0][0], [self.submits[0][1]])
        return data


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[PageForm] = []
        self.current: PageForm | None = None
        self.select: str | None = None
        self.select_first: str | None = None
        self.select_chosen = False
        self.textarea: str | None = None
        self.text = ""

    def _add(self, name, value, typed=True):
        self.current.data.setdefault(name, []).append(value)
        if typed and name not in self.current.typed:
            self.current.typed.append(name)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.current = PageForm(action=a.get("action") or "", method=(a.get("method") or "get").lower())
            self.forms.append(self.current)
            return
        if self.current is None or "disabled" in a:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                if kind == "submit":
                    self.current.submits.append((name, a.get("value", "")))
                return
            if kind in ("checkbox", "radio"):
                if kind == "checkbox" and name not in self.current.typed:
                    self.current.typed.append(name)
                if "checked" in a:
                    self._add(name, a.get("value", "on"), typed=kind == "checkbox")
                elif kind == "radio" and name not in self.current.data:
                    self._add(name, a.get("value", "on"))
                return
            if kind == "file":
                return
            self._add(name, a.get("value", ""), typed=kind != "hidden")
        elif tag == "button":
            if (a.get("type") or "submit").lower() == "submit":
                self.current.submits.append((name or "", a.get("value", "")))
        elif tag == "select" and name:
            self.select, self.select_first, self.select_chosen = name, None, False
            if name not in self.current.typed:
                self.current.typed.append(name)
            self.multiple = "multiple" in a
        elif tag == "option" and self.select:
            value = a.get("value", "")
            if self.select_first is None:
                self.select_first = value
            if "selected" in a:
                self.current.data.setdefault(self.select, []).append(value)
                self.select_chosen = True
        elif tag == "textarea" and name:
            self.textarea, self.text = name, ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "select" and self.select:
            if not self.select_chosen and not getattr(self, "multiple", False) and self.select_first is not None:
                self.current.data.setdefault(self.select, []).append(self.select_first)
            self.select = None
        elif tag == "textarea" and self.textarea:
            self._add(self.textarea, self.text.removeprefix("\n"))
            self.textarea = None

    def handle_data(self, data):
        if self.textarea:
            self.text += data


def forms(html: str) -> list[PageForm]:
    parser = _Parser()
    parser.feed(html)
    return parser.forms


def post_forms(html: str, *, skip_actions=("/keluar/", "/bahasa/")) -> list[PageForm]:
    """The page's own POST forms (not log-out or the language switch in the layout)."""
    return [f for f in forms(html) if f.method == "post" and not any(s in f.action for s in skip_actions)]
