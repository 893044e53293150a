// A block that scrolls sideways (a wide table on a phone, a long line of
// code, a row of tab labels) must be reachable from the keyboard to be
// scrolled (WCAG 2.1.1): each one that overflows gets a tab stop. Run on
// every page Material's instant navigation shows, and when a tab opens
// (a block in a hidden tab has no width until then).
function focusScrollable() {
  const blocks = document.querySelectorAll(
    ".md-typeset__scrollwrap, .md-typeset pre > code, .tabbed-labels"
  )
  for (const block of blocks) {
    if (block.scrollWidth > block.clientWidth && !block.hasAttribute("tabindex"))
      block.setAttribute("tabindex", "0")
  }
}
document$.subscribe(focusScrollable)
document.addEventListener("change", focusScrollable)
