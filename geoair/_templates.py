"""The Jinja2 environment of geoair's HTML: package templates, autoescape on, a JS-safe JSON filter.

Every HTML page and fragment geoair writes (the briefing, map popups, legends, layers) comes
from a template in ``geoair/templates`` rendered here with autoescaping, so text from data is
escaped for HTML by default. Data that lands inside a ``<script>`` goes through the ``js``
filter (:func:`js_json`): JSON with ``< > & '`` escaped as ``\\uXXXX`` (no ``</script>`` break-out,
no HTML parsing) and no ``{{``, ``{%`` or ``{#`` left (branca re-parses folium's scripts as
Jinja templates, so those would run as template code).

References
----------
Jinja2 autoescaping (https://jinja.palletsprojects.com/en/stable/api/#autoescaping);
OWASP XSS Prevention Cheat Sheet, rules 1-3 (HTML body, attribute, JavaScript data values).
"""

from __future__ import annotations

import json
import re
from functools import lru_cache

__all__ = ["environment", "render", "js_json", "html_text"]

_JS_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "'": "\\u0027", "\u2028": "\\u2028",
               "\u2029": "\\u2029"}
_TEMPLATE_START = re.compile(r"\{(?=[{%#])")


def js_json(obj):
    """JSON for a ``<script>`` block: safe in HTML, in JS and under a second Jinja pass."""
    from markupsafe import Markup

    text = json.dumps(obj, ensure_ascii=False, allow_nan=False, default=str)
    text = re.sub("[<>&'\u2028\u2029]", lambda m: _JS_ESCAPES[m.group(0)], text)
    # a structural "{" is always followed by '"' or "}"; inside strings \u007b is the same "{"
    return Markup(_TEMPLATE_START.sub(lambda m: "\\u007b", text))


def html_text(value) -> str:
    """Data text as HTML-escaped text (also ``{``, ``}``, ``$``, backtick and backslash as entities)."""
    from markupsafe import escape

    if value is None:
        return ""
    text = str(escape(str(value)))
    return (text.replace("{", "&#123;").replace("}", "&#125;").replace("$", "&#36;")
            .replace("`", "&#96;").replace("\\", "&#92;"))


@lru_cache(maxsize=1)
def environment():
    """The shared Jinja2 environment (templates from ``geoair/templates``, autoescape on)."""
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=PackageLoader("geoair", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html", "j2"), default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["js"] = js_json
    return env


def render(template: str, /, **context) -> str:
    """Render ``template`` with ``context`` (autoescaped)."""
    return environment().get_template(template).render(**context)
