// A block that scrolls sideways (a wide table on a phone, a long line of
// code, a row of tab labels) must be reachable from the keyboard to be
// scrolled (WCAG 2.1.1): each one that overflows gets a tab stop. Run when
// Material has set up the page (document$), and when a tab opens
// (a block in a hidden tab has no width until then).
function focusScrollable() {
  const blocks = document.querySelectorAll(
    ".md-typeset__scrollwrap, .md-typeset pre > code, .tabbed-labels"
  )
  // Every size is read before any attribute is written: one layout for
  // the page, not one per block (that cost a long page 5 to 10 points of
  // Lighthouse performance).
  const overflowing = [...blocks].filter(
    block => !block.hasAttribute("tabindex") &&
      block.scrollWidth > block.clientWidth
  )
  for (const block of overflowing) block.setAttribute("tabindex", "0")
}
document$.subscribe(focusScrollable)
document.addEventListener("change", focusScrollable)
