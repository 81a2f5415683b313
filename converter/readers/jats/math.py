"""Formulas in JATS: ``tex-math`` as is, MathML turned into TeX by pandoc (texmath).

Every MathML formula without a TeX alternative in a document is converted in one pandoc run,
before the document is read; a formula pandoc cannot convert is read as its text.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from lxml import etree

from ...errors import ConverterError, InputError
from ...model import Math
from .document import Document, collapse, local_name

MATHML = "http://www.w3.org/1998/Math/MathML"
MML_MATH = f"{{{MATHML}}}math"


class Formulas:
    """The TeX of a document's formulas: ``tex-math``, or MathML converted up front."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        #: TeX by the place (XPath) of each converted MathML ``math``
        self.tex = self._convert()

    def formula(self, el: etree._Element, display: bool) -> Math:
        tex = el if el.tag == "tex-math" else next(el.iter("tex-math"), None)
        if tex is not None:
            return Math(self.doc.raw(tex).strip(), display)
        mathml = el if el.tag == MML_MATH else next(el.iter(MML_MATH), None)
        if mathml is not None:
            converted = self.tex.get(self.doc.place(mathml))
            if converted is not None:
                return Math(converted, display)
            self.doc.lose(mathml, "(MathML) read as its text, not TeX")
            return Math(collapse(self.doc.raw(mathml)), display)
        self.doc.lose(el, "without TeX or MathML read as its text")
        return Math(self.doc.text(el), display)

    def _convert(self) -> dict[str, str]:
        """TeX for every MathML formula without a TeX alternative: one pandoc run (texmath)."""
        wanted = []
        for math in self.doc.root.iter(MML_MATH):
            holder = math.getparent()
            while holder is not None and holder.tag not in (
                    "inline-formula", "disp-formula", "alternatives"):
                holder = holder.getparent()
            if holder is None or next(holder.iter("tex-math"), None) is None:
                wanted.append(math)
        if not wanted:
            return {}
        from ...pandoc.run import run_pandoc

        page = "".join(f'<div id="m{i}"><p>{etree.tostring(_unprefixed(m), encoding="unicode")}'
                       "</p></div>" for i, m in enumerate(wanted))
        try:
            with tempfile.TemporaryDirectory(prefix="converter-jats-") as workdir:
                result = run_pandoc(["-f", "html", "-t", "json"], page.encode("utf-8"),
                                    timeout=self.doc.options.pandoc_timeout, workdir=Path(workdir),
                                    error=InputError, action="convert MathML to TeX")
            found = _tex_by_div(json.loads(result.output)["blocks"])
        except (ConverterError, ValueError, LookupError, TypeError, AttributeError) as exc:
            self.doc.article.diagnose("warning", "jats-mathml", f"MathML kept as text: {exc}")
            return {}
        return {self.doc.place(math): found[f"m{i}"] for i, math in enumerate(wanted)
                if f"m{i}" in found}


def _tex_by_div(blocks: list[Any]) -> dict[str, str]:
    """The first TeX formula of each pandoc ``Div [[id, classes, attrs], [Para [...]]]``."""
    out: dict[str, str] = {}
    for block in blocks:
        if block["t"] != "Div":
            continue
        tex = [node["c"][1] for para in block["c"][1] if para["t"] == "Para"
               for node in para["c"] if node["t"] == "Math"]
        if tex:
            out[block["c"][0][0]] = tex[0]
    return out


def _unprefixed(math: etree._Element) -> etree._Element:
    """A MathML element in the default namespace (what pandoc's HTML reader expects)."""

    def copy(el: etree._Element, parent: etree._Element | None) -> etree._Element:
        name = f"{{{MATHML}}}{local_name(el.tag)}" if isinstance(el.tag, str) else "mi"
        new = (etree.SubElement(parent, name) if parent is not None
               else etree.Element(name, nsmap={None: MATHML}))  # type: ignore[dict-item]
        for key, value in el.attrib.items():
            if not str(key).startswith("{"):
                new.set(key, value)
        new.text = el.text
        for child in el:
            if isinstance(child.tag, str):
                copy(child, new).tail = child.tail
        return new

    return copy(math, None)
