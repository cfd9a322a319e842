import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const HOOK = new URL('../../server/zod-english-only.ts', import.meta.url).href;

/** In a fresh process (the hook is process-wide), zod's locales and the words of a few failures, as JSON. */
function zodIn(englishOnly: boolean): { locales: string[]; words: string[]; localesAfter: string } {
  const script = `
    ${englishOnly ? `await (await import(${JSON.stringify(HOOK)})).loadZodInEnglishOnly();` : ''}
    const { z } = await import('zod');
    const schema = z.object({
      text: z.string().min(1),
      email: z.email(),
      count: z.number().int().max(10),
      kind: z.enum(['a', 'b']),
      when: z.iso.datetime(),
    }).strict();
    const failed = schema.safeParse({ text: '', email: 'no', count: 1.5, kind: 'c', when: 'x', extra: 1 });
    const wrongType = z.string().safeParse(1);
    console.log(JSON.stringify({
      locales: Object.keys(z.locales),
      words: [...failed.error.issues, ...wrongType.error.issues].map((issue) => issue.message),
      localesAfter: import.meta.resolve('zod/v4/locales'),
    }));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
  return JSON.parse(out) as { locales: string[]; words: string[]; localesAfter: string };
}

test("the serve path's zod loads English only, and every failure reads as it does with all its locales", () => {
  const all = zodIn(false);
  const english = zodIn(true);
  assert.ok(all.locales.length > 40, `zod's own index lists its locales (${all.locales.length})`);
  assert.deepEqual(english.locales, ['en']);
  assert.equal(english.words.length, 7);
  assert.deepEqual(english.words, all.words);
  // The hook is gone once zod is in: what the process resolves afterwards goes through no hook.
  assert.equal(english.localesAfter, all.localesAfter);
  assert.match(english.localesAfter, /^file:.*\/zod\/v4\/locales\/index\.js$/);
});
