"""mkdocs hooks: render the package's reST-style cross-reference roles as code.

Docstrings in the package write ``:class:`Clock``` and ``:meth:`start```, as Sphinx
does; Markdown renders the role's name literally before the code span. Drop it, and
the second colon of a reST literal-block introduction (``decorator::``).
"""

from __future__ import annotations

import re
from typing import Any

_ROLE = re.compile(r":(?:py:)?(?:class|meth|func|mod|attr|exc|data|obj):(<code>)~?")
# reST's "paragraph ending in ::" introduces a literal block; Markdown shows both colons.
_LITERAL_INTRO = re.compile(r"::(</p>)")


def on_page_content(html: str, **_: Any) -> str:
    """Clean the HTML of one page, after Markdown (and mkdocstrings) rendered it."""
    return _LITERAL_INTRO.sub(r":\1", _ROLE.sub(r"\1", html))
