// Builds elements from text only: every value shown comes from a server or a store, and is set as
// text, never parsed as markup, so a display name holding a tag shows the tag.

/** An element of `tag` with `attributes` (strings) and `children` (elements, or strings as text). */
export function el(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined && value !== null && value !== false) {
      element.setAttribute(name, value === true ? '' : String(value));
    }
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

/** A definition list of `[term, value]` pairs; an absent value shows as a dash. */
export function facts(pairs) {
  return el('dl', {}, pairs.flatMap(([term, value]) => [
    el('dt', {}, term),
    el('dd', {}, value === undefined || value === null || value === '' ? '—' : value),
  ]));
}

/** A time as the reader's clock and language show it, with the instant kept for machines. */
export function time(instant) {
  if (!instant) return '—';
  const when = new Date(instant);
  return el('time', { datetime: instant }, when.toLocaleString());
}

/** Replaces what `container` shows with `children`. */
export function show(container, ...children) {
  container.replaceChildren(...children.flat().filter(Boolean));
}
