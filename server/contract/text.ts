/** How a message's text is measured and judged, the same in the server and the dashboard (no zod: the page imports it). */

/** Characters as a person counts them (Unicode code points): an emoji is one, not the two UTF-16 units it takes. */
export const textLength = (text: string): number => {
  let n = 0;
  for (const _ of text) n++;
  return n;
};

/** Nothing a reader would see: whitespace and invisible characters only (zero-width spaces and joiners, BOM…). */
export const isBlankText = (text: string): boolean => /^[\s\p{Default_Ignorable_Code_Point}]*$/u.test(text);
