import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.join(__dirname, '../..');

function markdownFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return markdownFiles(full);
    return name.endsWith('.md') ? [full] : [];
  });
}

/** Code blocks and inline code hold shell and JSON, whose brackets are not links. */
function withoutCode(markdown: string): string {
  return markdown.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const [, heading] of withoutFences(markdown).matchAll(/^#{1,6}\s+(.+?)\s*#*$/gm)) {
    const base = heading!.replace(/`/g, '').toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

function withoutFences(markdown: string): string {
  return markdown.replace(/```[\s\S]*?```/g, '');
}

const files = [path.join(root, 'README.md'), ...markdownFiles(path.join(root, 'docs'))];
const links = files.flatMap((file) =>
  [...withoutCode(readFileSync(file, 'utf8')).matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1]!)
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target))
    .map((target) => ({ from: path.relative(root, file), target })),
);

test('the README and docs/ hold relative links to check', () => {
  expect(links.length).toBeGreaterThan(20);
});

test.each(links)('$from links to $target, which exists', ({ from, target }) => {
  const [file, anchor] = target.split('#') as [string, string | undefined];
  const resolved = file ? path.resolve(root, path.dirname(from), decodeURIComponent(file)) : path.join(root, from);
  expect(existsSync(resolved)).toBe(true);
  if (anchor && resolved.endsWith('.md')) expect([...anchors(readFileSync(resolved, 'utf8'))]).toContain(anchor);
});
