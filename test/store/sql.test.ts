import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createQueries, sql, sqlJoin } from '../../server/store/sql.ts';
import { tempDatabase } from '../support/temp-database.ts';

test('values become parameters and fragments become SQL', () => {
  const column = sql`name`;
  const query = sql`SELECT ${column} FROM t WHERE ${sqlJoin([sql`a = ${1}`, sql`b = ${'x'}`], sql` AND `)}`;
  assert.equal(query.text, 'SELECT name FROM t WHERE a = ? AND b = ?');
  assert.deepEqual(query.values, [1, 'x']);
  assert.equal(sqlJoin([]).text, '');
});

test('a value that looks like SQL or like a fragment is still only a value', (t) => {
  const { db } = tempDatabase(t);
  db.exec('CREATE TABLE t (name TEXT)');
  const queries = createQueries(db);
  const hostile = "x'); DROP TABLE t; --";
  queries.run(sql`INSERT INTO t (name) VALUES (${hostile})`);
  const fake = { text: 'DROP TABLE t', values: [] } as unknown as string;
  assert.throws(() => queries.run(sql`INSERT INTO t (name) VALUES (${fake})`));
  assert.deepEqual(
    queries.all<{ name: string }>(sql`SELECT name FROM t`).map((r) => r.name),
    [hostile],
  );
});
