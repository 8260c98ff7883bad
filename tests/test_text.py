"""kit.text: course text filled with data that can never turn into Markdown or HTML."""

import mistune

from kit.text import Markdown, Text, escape_markdown

HOSTILE = "<script>alert(1)</script> **bold** [x](javascript:alert(1)) <img src=x onerror=alert(1)> a_b_c\n# heading\n- item"


def test_escaped_text_renders_as_the_same_characters():
    html = mistune.html(escape_markdown(HOSTILE))
    assert "<script>" not in html and "<img" not in html and "<strong>" not in html and "<a " not in html
    assert "<h1>" not in html and "<li>" not in html, "no block starts inside a value"
    assert html.startswith("<p>") and html.count("<p>") == 1
    shown = html.removeprefix("<p>").removesuffix("</p>\n").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    assert shown == HOSTILE.replace("\n", " ")


def test_text_values_are_escaped_numbers_and_kit_markdown_are_not():
    text = Text("doc", "en", {"line": "**{name}** scored {score:.1f} in {where}"})
    line = text.format("line", name="<b>Li</b>", score=9.25, where=Markdown("*class*"))
    assert line == r"**&lt;b&gt;Li&lt;/b&gt;** scored 9.2 in *class*"
    assert text.format("line", name="x", score=1, where="y") == "**x** scored 1.0 in y"
