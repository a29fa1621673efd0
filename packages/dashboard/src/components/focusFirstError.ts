/**
 * Moves the focus to the first field (in `controls` order) that has an error, after the page has drawn it: a
 * keyboard or screen-reader user lands on what to fix, with its message read out (aria-describedby).
 */
export function focusFirstError(errors: Record<string, string>, controls: Record<string, string>): void {
  const first = Object.keys(controls).find((field) => errors[field]);
  if (!first) return;
  const id = controls[first];
  setTimeout(() => {
    if (id) document.getElementById(id)?.focus();
  }, 0);
}
