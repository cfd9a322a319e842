import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { startSandboxCore, type TestCore } from '../support/core.ts';

/**
 * Issue 14: every schema of /openapi.json has an example, and every example is one its schema takes (Redocly checks
 * each against its schema with ajv; an example its schema rejects is worse than none).
 */

type Json = Record<string, any>;

let document: Json;
before(async (t) => {
  const h: TestCore = await startSandboxCore(t);
  document = (await h.call('/openapi.json', { auth: false })).body;
});

/** Every operation, the webhook's included, by a name to read in a failure. */
const operationsOf = (doc: Json): [string, Json][] =>
  [
    ...Object.entries(doc.paths as Json),
    ...Object.entries(doc.webhooks as Json).map(([n, p]) => [`webhook ${n}`, p]),
  ].flatMap(([path, item]) =>
    Object.entries(item as Json).map(([method, op]): [string, Json] => [`${method} ${path}`, op]),
  );

const hasExample = (node: Json | undefined) =>
  node !== undefined && (node.example !== undefined || node.examples !== undefined);

/** A schema by reference to a component counts as the component, which is checked on its own. */
const schemaHasExample = (schema: Json | undefined) => schema?.$ref !== undefined || hasExample(schema);

/** File bytes (`format: binary`): there is no JSON value to show, so they are the one exception. */
const isFileBytes = (schema: Json | undefined) => schema?.type === 'string' && schema.format === 'binary';

/** Where each schema of the document is, and whether it (or the media type or parameter around it) has an example. */
function schemasOf(doc: Json): { where: string; example: boolean }[] {
  const found = Object.entries(doc.components.schemas as Json).map(([name, schema]) => ({
    where: `components.schemas.${name}`,
    example: hasExample(schema),
  }));
  for (const [name, op] of operationsOf(doc)) {
    for (const p of op.parameters ?? [])
      found.push({ where: `${name} parameter ${p.in} ${p.name}`, example: hasExample(p) || hasExample(p.schema) });
    const media = [
      ...Object.entries(op.requestBody?.content ?? {}).map(([type, m]) => [`request body ${type}`, m] as const),
      ...Object.entries(op.responses as Json).flatMap(([code, r]) =>
        Object.entries((r as Json).content ?? {}).map(([type, m]) => [`response ${code} ${type}`, m] as const),
      ),
    ];
    for (const [what, m] of media as [string, Json][]) {
      if (isFileBytes(m.schema)) continue;
      found.push({ where: `${name} ${what}`, example: hasExample(m) || schemaHasExample(m.schema) });
    }
  }
  return found;
}

/** Redocly's three example rules, as errors: each example checked against its schema. */
async function exampleProblems(doc: Json): Promise<string[]> {
  const config = await createConfig({
    rules: {
      'no-invalid-media-type-examples': 'error',
      'no-invalid-parameter-examples': 'error',
      'no-invalid-schema-examples': 'error',
    },
  });
  const problems = await lintFromString({ source: JSON.stringify(doc), absoluteRef: '/openapi.json', config });
  return problems.map((p) => `${p.ruleId}: ${p.message} at ${p.location[0]?.pointer}`);
}

test('every schema has an example: components, parameters, request bodies and answers', () => {
  const schemas = schemasOf(document);
  // Every public operation has at least its answers and the Error component: far more than this many places.
  assert.ok(schemas.length > 100, `${schemas.length} schemas found`);
  assert.deepEqual(
    schemas.filter((s) => !s.example).map((s) => s.where),
    [],
  );
});

test('every example is one its own schema takes', async () => {
  assert.deepEqual(await exampleProblems(document), []);
});

test('an example its schema rejects is caught, wherever it is', async () => {
  const broken = structuredClone(document);
  const send = broken.paths['/chats/{chat_jid}/messages'];
  broken.components.schemas.Error.example.code = 'four hundred';
  send.post.requestBody.content['application/json'].example.text = 42;
  send.post.responses['200'].content['application/json'].schema.example.data.timestamp = 'soon';
  send.get.parameters.find((p: Json) => p.name === 'limit').example = 'many';
  const problems = await exampleProblems(broken);
  for (const where of [
    '/components/schemas/Error/example/code',
    '/paths/~1chats~1{chat_jid}~1messages/post/requestBody/content/application~1json/example/text',
    '/paths/~1chats~1{chat_jid}~1messages/post/responses/200/content/application~1json/schema/example/data/timestamp',
    '/paths/~1chats~1{chat_jid}~1messages/get/parameters/',
  ])
    assert.ok(
      problems.some((p) => p.includes(`at #${where}`)),
      `${where} among:\n${problems.join('\n')}`,
    );
});
