import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The code block between `<!-- example:start -->` and `<!-- example:end -->` of a docs page, as a reader copies it. */
export function docExample(page: string): string {
  const text = readFileSync(path.join(__dirname, '../../docs', page), 'utf8');
  const block = /<!-- example:start -->\s*```[a-z]*\n([\s\S]*?)```\s*<!-- example:end -->/.exec(text)?.[1];
  if (!block) throw new Error(`docs/${page} has no example between its example markers`);
  return block;
}
