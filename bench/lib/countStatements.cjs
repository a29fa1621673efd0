// Preloaded into a worker by bench/capacity.mjs (node -r): counts the SQL statements each thread sends, by the start of
// their text (70 characters, spaces collapsed), on PostgreSQL (pg's Client.query) and
// SQLite (better-sqlite3's Statement run/get/all/iterate and Database exec). Every thread, the operations log's writer
// thread too, writes its counts to BENCH_COUNT_DIR/<pid>-<thread>.json a few times a second; the bench sums the files.
'use strict';
const { renameSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { threadId } = require('node:worker_threads');

const dir = process.env.BENCH_COUNT_DIR;
if (dir) {
  const counts = {};
  let changed = false;
  const count = (sql) => {
    const text = typeof sql === 'string' ? sql : (sql && sql.text) || '';
    const word = text.replace(/\s+/g, ' ').trim().slice(0, 70);
    counts[word] = (counts[word] ?? 0) + 1;
    changed = true;
  };
  const serverDir = join(__dirname, '..', '..', 'packages', 'server');
  const patch = (moduleName, apply) => {
    try {
      apply(require(require.resolve(moduleName, { paths: [serverDir] })));
    } catch {
      // not installed: that store is not in use
    }
  };
  patch('pg', (pg) => {
    const query = pg.Client.prototype.query;
    pg.Client.prototype.query = function countedQuery(sql, ...rest) {
      count(sql);
      return query.call(this, sql, ...rest);
    };
  });
  patch('better-sqlite3', (Database) => {
    const prepare = Database.prototype.prepare;
    Database.prototype.prepare = function countedPrepare(sql, ...rest) {
      const statement = prepare.call(this, sql, ...rest);
      for (const method of ['run', 'get', 'all', 'iterate']) {
        const original = statement[method];
        statement[method] = function counted(...args) {
          count(sql);
          return original.apply(this, args);
        };
      }
      return statement;
    };
    const exec = Database.prototype.exec;
    Database.prototype.exec = function countedExec(sql) {
      count(sql);
      return exec.call(this, sql);
    };
  });
  const file = join(dir, `${process.pid}-${threadId}.json`);
  setInterval(() => {
    if (!changed) return;
    changed = false;
    // Written aside and renamed: the bench may read the file at any moment.
    writeFileSync(`${file}.tmp`, JSON.stringify(counts));
    renameSync(`${file}.tmp`, file);
  }, 200).unref();
}
