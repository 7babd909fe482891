import path from 'node:path';
import { bareFor, figureTable, readResults } from './report';

/**
 * `npx tsx bench/compare.ts <result.json>...`: the figures of several bench runs side by side
 * (before and after, local send on and off), one column per run and topology.
 */
const files = process.argv.slice(2);
if (!files.length) throw new Error('usage: tsx bench/compare.ts bench/results/<stamp>.json ...');
const columns = files.flatMap((file) => {
  const r = readResults(file);
  const mark = r.machine.quiet ? '' : ', under load';
  return Object.values(r.runs).map((run) => ({ title: `${run.label} (${path.basename(file, '.json')}${mark})`, run, bare: bareFor(r, run) }));
});
console.log(figureTable(columns).join('\n'));
