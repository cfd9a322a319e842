import type { Database, Migrations } from '../../server/store/database.ts';

/** A part's migrations up to (not including) step `n`: the schema a database had before that step shipped. */
export function upTo(migrations: Migrations, n: number): Migrations {
  const steps = Object.fromEntries(Object.entries(migrations.steps).slice(0, n));
  return { ...migrations, steps };
}

/** The tables, their columns and the indexes of a database, as "table t (a, b)" and "index i on t". */
export function schemaOf(db: Database): Set<string> {
  const objects = db
    .prepare("SELECT type, name, tbl_name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name")
    .all() as { type: string; name: string; tbl_name: string }[];
  return new Set(
    objects.map(({ type, name, tbl_name }) => {
      if (type !== 'table') return `${type} ${name} on ${tbl_name}`;
      const columns = db.prepare('SELECT name FROM pragma_table_info(?)').all(name) as { name: string }[];
      return `table ${name} (${columns.map((c) => c.name).join(', ')})`;
    }),
  );
}
