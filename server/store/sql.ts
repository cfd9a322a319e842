import type { SQLInputValue, StatementResultingChanges, StatementSync } from 'node:sqlite';
import type { Database } from './database.ts';

/**
 * SQL whose shape depends on the call (Signal-Desktop's `sql` template is the model): the text is built from the
 * template's literal parts and from other `sql` fragments; every other value becomes a `?` parameter, so a value
 * can never become SQL. Statements whose shape never changes are prepared once when their store is built instead.
 */
export interface SqlQuery {
  readonly text: string;
  readonly values: readonly SQLInputValue[];
}

const FRAGMENT = Symbol('sql');
interface Fragment extends SqlQuery {
  readonly [FRAGMENT]: true;
}

const isFragment = (part: unknown): part is Fragment => typeof part === 'object' && part !== null && FRAGMENT in part;

export function sql(strings: TemplateStringsArray, ...parts: (SQLInputValue | SqlQuery)[]): SqlQuery {
  let text = strings[0]!;
  const values: SQLInputValue[] = [];
  parts.forEach((part, i) => {
    if (isFragment(part)) {
      text += part.text;
      values.push(...part.values);
    } else {
      text += '?';
      values.push(part as SQLInputValue);
    }
    text += strings[i + 1]!;
  });
  return { [FRAGMENT]: true, text, values } as Fragment;
}

/** Fragments one after the other, `separator` (by default ", ") between them. */
export function sqlJoin(fragments: readonly SqlQuery[], separator: SqlQuery = sql`, `): SqlQuery {
  return fragments.reduce((joined, next, i) => (i === 0 ? next : sql`${joined}${separator}${next}`), sql``);
}

/** Runs `sql` queries on one database, preparing each distinct text once: a shape is prepared on its first use. */
export interface Queries {
  get<T>(query: SqlQuery): T | undefined;
  all<T>(query: SqlQuery): T[];
  run(query: SqlQuery): StatementResultingChanges;
}

export function createQueries(db: Database): Queries {
  const prepared = new Map<string, StatementSync>();
  const statement = (text: string): StatementSync => {
    let found = prepared.get(text);
    if (!found) prepared.set(text, (found = db.prepare(text)));
    return found;
  };
  return {
    get: <T>(q: SqlQuery) => statement(q.text).get(...q.values) as T | undefined,
    all: <T>(q: SqlQuery) => statement(q.text).all(...q.values) as T[],
    run: (q) => statement(q.text).run(...q.values),
  };
}
