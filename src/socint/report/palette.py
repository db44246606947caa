"""Colours of the dashboard and figures, and the WCAG contrast check they must pass.

Deciles use *viridis* (van der Walt & Smith 2015), designed to be perceptually uniform and
readable with the common colour-vision deficiencies and in greyscale; categories use the
Okabe–Ito palette (Okabe & Ito 2008, *Color Universal Design*). Text colours are chosen so that
every text/background pair used by the stylesheet reaches the WCAG 2.1 AA contrast ratio of 4.5:1
(success criterion 1.4.3); :func:`contrast_ratio` implements the WCAG definition and the tests
check every pair in :data:`TEXT_PAIRS`.
"""

from __future__ import annotations

#: Viridis sampled at 10 equal steps: index 0 = decile 1 (lowest) … index 9 = decile 10.
DECILE_COLOURS: tuple[str, ...] = (
    "#440154", "#482878", "#3e4989", "#31688e", "#26828e",
    "#1f9e89", "#35b779", "#6ece58", "#b5de2b", "#fde725",
)

#: Fill of an area without a value.
MISSING_COLOUR = "#ffffff"
#: ColorBrewer PuOr, 7 classes (colour-blind safe): class 1 = largest fall (orange) … class 7 =
#: largest rise (purple); the middle class is "about no change".
DIVERGING_COLOURS: tuple[str, ...] = ("#b35806", "#f1a340", "#fee0b6", "#f2f2f2", "#d8daeb",
                                      "#998ec3", "#542788")

#: Classification categories (Okabe–Ito blue/orange, neutral grey) with their legend labels.
CLASS_COLOURS: dict[str, str] = {
    "most_integrated": "#0072B2",
    "fails_segregation": "#E69F00",
    "other": "#d9d9d9",
}
CLASS_LABELS: dict[str, str] = {
    "most_integrated": "Most socially integrated",
    "fails_segregation": "Diverse and trusting, but fails the segregation check",
    "other": "Not classified as most integrated",
}

#: Stylesheet colours (the CSS custom properties of ``site.css`` use exactly these).
CSS_COLOURS: dict[str, str] = {
    "text": "#1a1a1a",
    "muted": "#595959",
    "background": "#ffffff",
    "panel": "#f3f4f6",
    "link": "#0b57a4",
    "header_bg": "#1d3557",
    "header_text": "#ffffff",
    "focus": "#b35900",
    "highlight": "#fff3bf",
}

#: (foreground, background) pairs of text the stylesheet draws.
TEXT_PAIRS: tuple[tuple[str, str], ...] = (
    ("text", "background"), ("muted", "background"), ("link", "background"),
    ("text", "panel"), ("muted", "panel"), ("link", "panel"),
    ("header_text", "header_bg"), ("text", "highlight"), ("link", "highlight"),
)


def relative_luminance(hex_colour: str) -> float:
    """WCAG 2.1 relative luminance of an sRGB colour ``#rrggbb``."""
    h = hex_colour.lstrip("#")
    if len(h) != 6:
        raise ValueError(f"colour {hex_colour!r} is not #rrggbb")
    chans = []
    for i in (0, 2, 4):
        c = int(h[i:i + 2], 16) / 255.0
        chans.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    return 0.2126 * chans[0] + 0.7152 * chans[1] + 0.0722 * chans[2]


def contrast_ratio(fg: str, bg: str) -> float:
    """WCAG contrast ratio ``(L1 + 0.05) / (L2 + 0.05)`` with L1 the lighter luminance."""
    a, b = relative_luminance(fg), relative_luminance(bg)
    hi, lo = max(a, b), min(a, b)
    return (hi + 0.05) / (lo + 0.05)


def text_on(fill: str) -> str:
    """Black or white, whichever contrasts more with ``fill`` (labels on legend swatches)."""
    return "#000000" if contrast_ratio("#000000", fill) >= contrast_ratio("#ffffff", fill) \
        else "#ffffff"


def css_variables() -> str:
    """The ``:root`` custom properties block of the stylesheet."""
    lines = [f"  --{k.replace('_', '-')}: {v};" for k, v in CSS_COLOURS.items()]
    return ":root {\n" + "\n".join(lines) + "\n}\n"


__all__ = [
    "CLASS_COLOURS",
    "CLASS_LABELS",
    "CSS_COLOURS",
    "DECILE_COLOURS",
    "DIVERGING_COLOURS",
    "MISSING_COLOUR",
    "TEXT_PAIRS",
    "contrast_ratio",
    "css_variables",
    "relative_luminance",
    "text_on",
]
