/**
 * The fenced code blocks of a Markdown document, as the tests that hold the docs' examples to the
 * code read them: where each starts, its language, its text, and the HTML comment that marks it
 * (`<!-- prod-commands -->` on the line before the fence), if any.
 */

export interface CodeBlock {
  /** Line of the opening fence (1-based). */
  readonly line: number;
  /** The fence's info string: `sh`, `yaml`, `json`, ... ('' when none). */
  readonly lang: string;
  readonly code: string;
  /** The name of an HTML comment `<!-- name -->` on the line just before the fence. */
  readonly marker: string | undefined;
}

const FENCE = /^\s*```(\S*)\s*$/;
const MARKER = /^<!--\s*([\w-]+)\s*-->$/;

export function codeBlocks(markdown: string): CodeBlock[] {
  const lines = markdown.split('\n');
  const blocks: CodeBlock[] = [];
  let open: { line: number; lang: string; marker: string | undefined; body: string[] } | undefined;
  lines.forEach((text, i) => {
    const fence = FENCE.exec(text);
    if (open && fence && fence[1] === '') {
      blocks.push({ line: open.line, lang: open.lang, code: open.body.join('\n'), marker: open.marker });
      open = undefined;
    } else if (open) {
      // An indented block (inside a list item) is indented as a whole: its code is not.
      open.body.push(text);
    } else if (fence) {
      open = { line: i + 1, lang: fence[1], marker: MARKER.exec(lines[i - 1]?.trim() ?? '')?.[1], body: [] };
    }
  });
  return blocks.map((b) => ({ ...b, code: dedent(b.code) }));
}

/** The text with the indentation its lines share removed. */
function dedent(text: string): string {
  const lines = text.split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => /^\s*/.exec(l)?.[0].length ?? 0));
  return Number.isFinite(indent) ? lines.map((l) => l.slice(indent)).join('\n') : text;
}
