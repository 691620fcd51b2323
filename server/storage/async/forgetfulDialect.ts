/**
 * Kysely's query compilers keep the parameters of the last query they compiled (a private list,
 * reset only when the next query is compiled). After a lookup by a token's hash, or a note's
 * insert, that value would stay reachable in the heap until some other query ran: a purged
 * meeting's hash outlived it there (CONF-1, the heap canary test found it). Every dialect of the
 * server is wrapped so that its compiler forgets each query's values as soon as it compiled it.
 */
import { RawNode, type Dialect, type QueryCompiler } from 'kysely';

/** A compiler that, after each query, compiles an empty one: its parameter list is then empty. */
function forgetfulCompiler(inner: QueryCompiler): QueryCompiler {
  const blank = RawNode.createWithSql('');
  return {
    compileQuery(node, queryId) {
      const compiled = inner.compileQuery(node, queryId);
      inner.compileQuery(blank, queryId);
      return compiled;
    },
  };
}

/** `dialect` with a compiler that keeps no query's values (the rest is the dialect's own). */
export function forgetful(dialect: Dialect): Dialect {
  return {
    createDriver: () => dialect.createDriver(),
    createAdapter: () => dialect.createAdapter(),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createQueryCompiler: () => forgetfulCompiler(dialect.createQueryCompiler()),
  };
}
