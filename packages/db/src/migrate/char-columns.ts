// Workaround: @prisma/adapter-pg 7.10 has no mapping for PostgreSQL's one-byte "char" type and
// rejects it, yet the schema engine reads "char" catalog columns (pg_constraint.contype) when it
// describes a database, and expects them typed as Character. Without this, `diff` fails as soon
// as the migrations create a CHECK constraint. Two cooperating halves:
// 1. CharAsTextClient (pg level) reports "char" fields as text, so adapter-pg accepts the result,
//    and remembers their positions, keyed by the rows array adapter-pg passes through untouched;
// 2. restoreCharColumns (adapter level) types those positions back as Character.
import { ColumnTypeEnum, type SqlQuery, type SqlQueryable, type SqlResultSet } from '@prisma/driver-adapter-utils';
import pg from 'pg';

const charTypeOid = 18;
const textTypeOid = 25;
const charColumnsByRows = new WeakMap<unknown[], number[]>();

export class CharAsTextClient extends pg.Client {
  // adapter-pg reaches both call styles: promise (transactions) and callback (through pool.query).
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- overrides pg's overloaded signature
  override query(...args: unknown[]): any {
    const callback = args.at(-1);
    if (typeof callback === 'function') {
      args[args.length - 1] = (error: Error | null, result: unknown) => callback(error, reportCharAsText(result));
      return Reflect.apply(super.query, this, args);
    }
    const pending: unknown = Reflect.apply(super.query, this, args);
    return pending instanceof Promise ? pending.then(reportCharAsText) : pending;
  }
}

function reportCharAsText(result: unknown): unknown {
  const { fields, rows } = (result ?? {}) as Partial<pg.QueryResult>;
  const charColumns = (fields ?? []).flatMap((field, index) => (field.dataTypeID === charTypeOid ? [index] : []));
  if (fields && rows && charColumns.length > 0) {
    for (const index of charColumns) fields[index]!.dataTypeID = textTypeOid;
    charColumnsByRows.set(rows, charColumns);
  }
  return result;
}

/** Wraps an adapter (and the transactions it starts) so "char" columns come back as Character. */
export function restoreCharColumns<T extends SqlQueryable>(queryable: T): T {
  return new Proxy(queryable, {
    get(target, property) {
      if (property === 'queryRaw') {
        return async (query: SqlQuery) => retypeCharColumns(await target.queryRaw(query));
      }
      const value: unknown = Reflect.get(target, property, target);
      if (property === 'startTransaction' && typeof value === 'function') {
        return async (...args: unknown[]) => restoreCharColumns(await Reflect.apply(value, target, args));
      }
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

function retypeCharColumns(resultSet: SqlResultSet): SqlResultSet {
  for (const index of charColumnsByRows.get(resultSet.rows) ?? []) {
    resultSet.columnTypes[index] = ColumnTypeEnum.Character;
  }
  return resultSet;
}
