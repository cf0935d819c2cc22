// Every Unicode line terminator (LF, VT, FF, CR, NEL, LS, PS) and the other control characters
// (C0, DEL, C1): none of them may reach the inside of a `-- …` comment or a `-- key: value` header.
const BREAKS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;
const BREAK = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/**
 * User text (a revision message, a file path) made safe to write after `--` in SQL or in a
 * `.sql` revision header: every run of line terminators and control characters becomes one
 * space, so the text cannot end its comment and start a statement or a header of its own;
 * a lone surrogate (which has no UTF-8 form) becomes U+FFFD, as writing the file would make it.
 *
 * @example
 * ```ts
 * singleLine("x\ndrop table accounts; --"); // "x drop table accounts; --"
 * singleLine("a\u2028b\r\nc");              // "a b c"
 * ```
 */
export function singleLine(text: string): string {
  return text.replace(BREAKS, " ").replace(/\p{Surrogate}/gu, "\ufffd");
}

/**
 * The first line terminator or control character in `text` (other than tab), as `U+XXXX`,
 * or `undefined`: for readers that must refuse what {@link singleLine} would have removed.
 *
 * @example
 * ```ts
 * lineBreakIn("-- message: a\u2028b"); // "U+2028"
 * ```
 */
export function lineBreakIn(text: string): string | undefined {
  const found = BREAK.exec(text.replaceAll("\t", " "))?.[0];
  return found === undefined ? undefined : `U+${found.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
}
