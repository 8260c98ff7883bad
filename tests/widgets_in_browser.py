"""A trainee's hand on a live lesson page (JupyterLab or the Voilà app): move the first slider of an interaction
and wait until its output changes."""

INTERACTIVE = ".widget-vbox:has(> .widget-slider):has(> .widget-output)"


def move_a_slider(page) -> tuple[str, str]:
    """Wait for the first interaction to draw, press → five times on its first slider and return its output
    before and after (the wait fails if the output never changes)."""
    page.wait_for_selector(f"{INTERACTIVE} .widget-output img, {INTERACTIVE} .widget-output table", timeout=240_000)
    box = page.locator(INTERACTIVE).first
    box.scroll_into_view_if_needed()
    output = box.locator(":scope > .widget-output")
    before = output.inner_html()
    box.locator(".noUi-handle").first.focus()
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    page.wait_for_function("([el, old]) => el.innerHTML !== old", arg=[output.element_handle(), before],
                           timeout=60_000)
    return before, output.inner_html()
