// Building and swapping DOM nodes safely: text always goes in as text (never parsed as HTML), and a view's
// subtree is replaced only when what it shows changed, keeping keyboard focus where it was.

type AttrValue = string | number | boolean | null | undefined;
export type Child = Node | string | number | null | undefined | false;

/** Creates an element. Attributes set to false, null or undefined are left out; true sets an empty one. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, AttrValue> = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    el.setAttribute(key, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

function append(el: Element, children: (Child | Child[])[]): void {
  for (const child of children) {
    if (Array.isArray(child)) append(el, child);
    else if (child === null || child === undefined || child === false) continue;
    else if (typeof child === "string" || typeof child === "number") {
      el.append(document.createTextNode(String(child)));
    } else el.append(child);
  }
}

/** The attributes that identify a control across renders (see docs/page-hooks). */
const KEY_ATTRIBUTES = [
  "data-piece-id",
  "data-action",
  "data-value",
  "data-seat",
  "data-setting",
  "data-testid",
];

function focusSelector(el: Element): string | null {
  const parts = KEY_ATTRIBUTES.flatMap((name) => {
    const value = el.getAttribute(name);
    return value === null ? [] : [`[${name}="${CSS.escape(value)}"]`];
  });
  return parts.length === 0 ? null : parts.join("");
}

const signatures = new WeakMap<Element, string>();

/**
 * Puts `build()`'s nodes into `container` when `signature` differs from the last one there; a control that
 * had focus gets it back in its new incarnation, so typing and keyboard play are not interrupted.
 */
export function renderInto(container: Element, signature: string, build: () => Child | Child[]): void {
  if (signatures.get(container) === signature) return;
  signatures.set(container, signature);
  const active = document.activeElement;
  const selector = active !== null && container.contains(active) ? focusSelector(active) : null;
  const fragment = document.createDocumentFragment();
  const built = build();
  const nodes = Array.isArray(built) ? built : [built];
  for (const node of nodes) {
    if (node === null || node === undefined || node === false) continue;
    fragment.append(typeof node === "object" ? node : document.createTextNode(String(node)));
  }
  container.replaceChildren(fragment);
  if (selector !== null) {
    const again = container.querySelector<HTMLElement>(selector);
    again?.focus();
  }
}
