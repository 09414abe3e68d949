"""Markdown with LaTeX maths to HTML, the maths typeset as MathML when the deck is built.

Formulas are written in the notebooks' Markdown as ``$...$`` (inline) and ``$$...$$`` (display).
They are lifted out before the Markdown is rendered (so ``_`` and ``*`` inside a formula are not
read as emphasis), converted to MathML with ``latex2mathml`` and put back. Browsers render MathML
Core natively, so a deck needs no MathJax and no network. Code spans and fenced code blocks are
left untouched, ``\\$`` stays a literal dollar sign, and an inline formula may run over a line
break (not over a blank line).
"""
from __future__ import annotations

import html
import re

# fenced code, code spans, display maths, inline maths (in this order of precedence)
_TOKENS = re.compile(
    r"(?P<fence>^[ \t]*(?P<f>```|~~~).*?^[ \t]*(?P=f)[ \t]*$)"
    r"|(?P<code>(?P<ticks>`+).+?(?P=ticks))"
    r"|(?<!\\)\$\$(?P<display>.+?)(?<!\\)\$\$"
    r"|(?<![\\$])\$(?P<inline>[^\s$](?:(?:[^$\n]|\n(?![ \t]*\n))*?[^\s$\\])?)\$(?!\$)",
    re.S | re.M,
)
_PLACEHOLDER = "NNMATHX{}X"
_UNKNOWN = re.compile(r"<m[ion][^>]*>(\\[A-Za-z]+)</m[ion]>")


def tex_to_mathml(tex: str, display: bool = False) -> str:
    """One LaTeX formula as a ``<math>`` element.

    Parameters
    ----------
    tex : str
        The formula without its dollar signs.
    display : bool
        True for a formula on its own line (``$$...$$``).

    Returns
    -------
    str
        MathML markup; raises ``ValueError`` naming the formula when it cannot be converted.
    """
    if not isinstance(tex, str):
        raise TypeError(f"tex must be a str, got {type(tex).__name__}")
    from latex2mathml.converter import convert

    try:
        markup = convert(tex.strip(), display="block" if display else "inline")
    except Exception as exc:  # latex2mathml raises its own exception types for broken formulas
        raise ValueError(f"cannot typeset the formula {tex!r}: {type(exc).__name__} {exc}".rstrip()) from None
    unknown = _UNKNOWN.search(markup)  # a command latex2mathml does not know is kept as text
    if unknown:
        raise ValueError(f"cannot typeset the formula {tex!r}: unknown command {unknown.group(1)}")
    return markup


def markdown_to_html(text: str, problems: list[str] | None = None) -> str:
    """Render Markdown to HTML with its formulas typeset as MathML.

    A formula that cannot be converted is shown as its LaTeX source in a ``<code class='nn-tex-error'>``
    and a message is appended to ``problems`` (when given).
    """
    import mistune

    maths: list[str] = []

    def lift(match: re.Match) -> str:
        if match.group("fence") or match.group("code"):
            return match.group(0)
        display = match.group("display") is not None
        tex = match.group("display") if display else match.group("inline")
        try:
            markup = tex_to_mathml(tex, display=display)
        except ValueError as exc:
            if problems is not None:
                problems.append(str(exc))
            markup = f"<code class='nn-tex-error'>{html.escape(tex)}</code>"
        maths.append(markup)
        token = _PLACEHOLDER.format(len(maths) - 1)
        return f"\n\n{token}\n\n" if display else token

    body = mistune.html(_TOKENS.sub(lift, text))
    for i in range(len(maths) - 1, -1, -1):  # from the last, so NNMATHX1X never matches inside NNMATHX10X
        token = _PLACEHOLDER.format(i)
        body = body.replace(f"<p>{token}</p>", maths[i]).replace(token, maths[i])
    return body
