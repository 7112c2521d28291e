// Strings built by `+=` are trees of pieces (V8 cons strings): a 150-character log binding or
// presence kept for a whole session can hold 24 pieces and ~3 KiB. Reading one character makes
// V8 flatten the tree in place into one sequential string, and the pieces become garbage.

/** The same string, flattened in place; call once on strings kept for a long time. */
export function flatten<T extends string | undefined>(text: T): T {
  if (text !== undefined && text.length > 0) text.charCodeAt(0);
  return text;
}
