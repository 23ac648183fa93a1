/**
 * Wrapping text to a display width for the table, in English and Japanese.
 *
 * English breaks at spaces. Japanese has no spaces: it breaks between phrases (文節), found by
 * BudouX, Google's small machine-learned segmenter, and keeps the line-breaking rules (禁則処理)
 * that Japanese readers expect: no line starts with a closing bracket, a prolonged sound mark or
 * 。、, and none ends with an opening bracket. Ids, ARNs and commands are never broken except
 * where they are wider than the column itself.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** Characters no line may start with (JIS X 4051 行頭禁則: closing brackets, punctuation, ー and small kana). */
export const NO_LINE_START = new Set([
  ...'、。，．,.・：；:;？！?!ー―‐－～〜…‥)]}）］｝」』】〕〉》〙〗’”ゝゞヽヾ々',
  ...'ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶ',
]);

/** Characters no line may end with (行末禁則: opening brackets and quotes). */
export const NO_LINE_END = new Set([...'([{（［｛「『【〔〈《〘〖‘“']);

// Full-width (CJK) characters take two columns.
const WIDE_CLASS = '\\u1100-\\u115f\\u2e80-\\ua4cf\\uac00-\\ud7a3\\uf900-\\ufaff\\ufe30-\\ufe4f\\uff00-\\uff60\\uffe0-\\uffe6';
const WIDE = new RegExp(`[${WIDE_CLASS}]`);
const HAS_WIDE = new RegExp(`[${WIDE_CLASS}]`);

/** The columns a string takes on a terminal: two for each full-width character, one for the rest. */
export function widthOf(s: string): number {
  let n = 0;
  for (const ch of s) n += WIDE.test(ch) ? 2 : 1;
  return n;
}

interface Segmenter {
  parse(sentence: string): string[];
}

let segmenter: Segmenter | undefined;

/**
 * BudouX's parser and its Japanese model, loaded on first use from the package's own files: the
 * package's entry point also loads an HTML parser (linkedom) that a terminal never needs and that
 * costs a third of a second. The package's `exports` list neither file, so they are required by path.
 */
function japanese(): Segmenter {
  if (!segmenter) {
    const load = createRequire(__filename);
    const dist = dirname(load.resolve('budoux'));
    const { Parser } = load(join(dist, 'parser.js')) as { Parser: new (model: unknown) => Segmenter };
    const { model } = load(join(dist, 'data', 'models', 'ja.js')) as { model: unknown };
    segmenter = new Parser(model);
  }
  return segmenter;
}

const isSpace = (t: string) => /^\s+$/.test(t);

/** The places a paragraph may break: phrase boundaries (Japanese) and spaces, as alternating words and runs of space. */
function tokens(paragraph: string): string[] {
  const phrases = HAS_WIDE.test(paragraph) ? japanese().parse(paragraph) : [paragraph];
  const out: string[] = [];
  // A phrase boundary can fall inside a run of spaces; the run is one place to break.
  for (const t of phrases.flatMap((p) => p.match(/\s+|\S+/g) ?? [])) {
    if (out.length && isSpace(t) && isSpace(out[out.length - 1]!)) out[out.length - 1] += t;
    else out.push(t);
  }
  return out;
}

/**
 * Joins tokens that must stay on one line: one starting with a character no line may start with
 * goes onto the one before, and one ending with an opening bracket takes the next with it, across
 * a space too (`[  OK  ]` stays one piece).
 */
function glue(parts: string[]): string[] {
  const out: string[] = [];
  for (const t of parts) {
    const last = out.length - 1;
    const prev = out[last];
    const beforeSpace = out[last - 1];
    if (prev === undefined || isSpace(t)) {
      out.push(t);
    } else if (!isSpace(prev) && (NO_LINE_START.has(t[0]!) || NO_LINE_END.has([...prev].at(-1)!))) {
      out[last] = prev + t;
    } else if (isSpace(prev) && beforeSpace !== undefined && (NO_LINE_START.has(t[0]!) || NO_LINE_END.has([...beforeSpace].at(-1)!))) {
      out.splice(last - 1, 2, beforeSpace + prev + t);
    } else {
      out.push(t);
    }
  }
  return out;
}

/** Whether a piece leaves a 「 console label 」 open. */
const opensLabel = (s: string) => s.lastIndexOf('「') > s.lastIndexOf('」');

/**
 * Keeps a short 「console label」 on one line (`「AWS のサービス」`, not `「AWS の` | `サービス」`): the
 * pieces from its opening bracket to its closing one become one, when together they take at most
 * 24 columns or half the column; a longer label may break between its phrases.
 */
function keepLabels(parts: string[], width: number): string[] {
  const most = Math.min(width, Math.max(24, width / 2));
  const out: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const start = parts[i]!.lastIndexOf('「');
    let joined = parts[i]!;
    let j = i;
    while (opensLabel(joined) && j + 1 < parts.length && widthOf(joined) <= width) joined += parts[++j];
    const label = joined.slice(start, joined.indexOf('」', start) + 1);
    if (j > i && !opensLabel(joined) && widthOf(label) <= most && widthOf(joined) <= width) {
      out.push(joined);
      i = j;
    } else {
      out.push(parts[i]!);
    }
  }
  return out;
}

/** A word wider than the column (a long ARN) in pieces that fit, none starting with a character no line may start with. */
function cut(word: string, width: number): string[] {
  const pieces: string[] = [];
  let piece = '';
  for (const ch of word) {
    if (piece && widthOf(piece + ch) > width && !NO_LINE_START.has(ch)) {
      pieces.push(piece);
      piece = '';
    }
    piece += ch;
  }
  if (piece) pieces.push(piece);
  return pieces;
}

function wrapParagraph(paragraph: string, width: number): string[] {
  const indent = /^\s*/.exec(paragraph)?.[0] ?? '';
  const lines: string[] = [];
  let line = indent;
  let lineW = widthOf(indent);
  const fresh = () => line.trim() === '';
  for (const tok of keepLabels(glue(tokens(paragraph.slice(indent.length))), width)) {
    const w = widthOf(tok);
    if (isSpace(tok)) {
      if (line === '') continue; // a broken line's next line starts with its next word
      if (lineW + w <= width) {
        line += tok;
        lineW += w;
      } else {
        lines.push(line.trimEnd());
        line = '';
        lineW = 0;
      }
      continue;
    }
    if (lineW + w <= width) {
      line += tok;
      lineW += w;
      continue;
    }
    if (!fresh()) {
      lines.push(line.trimEnd());
      line = '';
    }
    // Wider than the column on its own: cut, the last piece left open for what follows.
    const pieces = w > width ? cut(tok, width) : [tok];
    const last = pieces.pop() ?? '';
    for (const piece of pieces) {
      lines.push(line + piece);
      line = '';
    }
    line += last;
    lineW = widthOf(line);
  }
  lines.push(line.trimEnd());
  return lines;
}

/**
 * Wraps text to `width` display columns, paragraph by paragraph (each `\n` is kept), breaking
 * English at spaces and Japanese between phrases, under the line-breaking rules above.
 */
export function wrap(text: string, width: number): string {
  return text
    .split('\n')
    .map((p) => wrapParagraph(p, width).join('\n'))
    .join('\n');
}
