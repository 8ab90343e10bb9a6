// node-postgres against FlintDB or PostgreSQL (run by tests/clients/drivers.sh
// with NODE_PATH pointing at its node_modules): text-format results parsed
// by pg's type parsers, parameterised queries, row counts, transactions and
// savepoints, SQLSTATEs, COPY both ways (pg-copy-streams), a server-side
// cursor (pg-cursor: Execute with a row limit), NULLs and 10k rows.
const { Client } = require('pg');
const Cursor = require('pg-cursor');
const { from: copyFrom, to: copyTo } = require('pg-copy-streams');
const { pipeline } = require('stream/promises');
const { Readable, Writable } = require('stream');

const failures = [];
function check(name, got, want) {
  const g = JSON.stringify(got), w = JSON.stringify(want);
  if (g === w) console.log(`ok   ${name}`);
  else { console.log(`FAIL ${name}: want ${w}, got ${g}`); failures.push(name); }
}
async function sqlstate(name, want, promise) {
  try { await promise; check(name, null, want); } catch (e) { check(name, e.code, want); }
}

async function main() {
  const c = new Client({ host: '127.0.0.1', port: +process.env.FLINTDB_PORT, user: 'postgres', database: 'postgres' });
  await c.connect();
  await c.query('DROP TABLE IF EXISTS np_types');
  await c.query(`CREATE TABLE np_types (id int PRIMARY KEY, b bool, s smallint, l bigint, d double precision,
      n numeric(10,2), t text, v varchar(10), y bytea, dt date, ts timestamp, tz timestamptz, ta text[])`);
  const r = await c.query(
    'INSERT INTO np_types VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)',
    [1, true, 7, '9000000000', 2.5, '12.34', 'héllo', 'vc', Buffer.from([0, 255]), '2024-02-29',
     '2024-02-29 12:30:01.5', '2024-02-29T12:30:00Z', ['a', null, 'c']]);
  check('INSERT rowCount', [r.command, r.rowCount], ['INSERT', 1]);
  const row = (await c.query('SELECT * FROM np_types WHERE id = $1', [1])).rows[0];
  check('round trip', [row.b, row.s, row.l, row.d, row.n, row.t, row.v, row.y.toString('hex'), row.ta,
    row.tz.toISOString()],
    [true, 7, '9000000000', 2.5, '12.34', 'héllo', 'vc', '00ff', ['a', null, 'c'], '2024-02-29T12:30:00.000Z']);
  await c.query('INSERT INTO np_types (id) VALUES (2)');
  check('NULLs', (await c.query('SELECT b, t, ta FROM np_types WHERE id = 2')).rows[0], { b: null, t: null, ta: null });
  for (let k = 10; k < 60; k++) await c.query('INSERT INTO np_types (id, s) VALUES ($1, $2)', [k, k % 5]);
  check('UPDATE rowCount', (await c.query('UPDATE np_types SET t = $1 WHERE s = $2', ['x', 3])).rowCount, 10);
  check('DELETE rowCount', (await c.query('DELETE FROM np_types WHERE id >= $1', [50])).rowCount, 10);

  await c.query('BEGIN');
  await c.query('INSERT INTO np_types (id) VALUES (100)');
  await c.query('SAVEPOINT sp1');
  await sqlstate('23505 inside a savepoint', '23505', c.query('INSERT INTO np_types (id) VALUES (100)'));
  await c.query('ROLLBACK TO SAVEPOINT sp1');
  await c.query('COMMIT');
  await c.query('BEGIN');
  await c.query('INSERT INTO np_types (id) VALUES (101)');
  await c.query('ROLLBACK');
  check('COMMIT and ROLLBACK', (await c.query('SELECT id FROM np_types WHERE id >= 100 ORDER BY id')).rows, [{ id: 100 }]);

  await sqlstate('42601', '42601', c.query('SELEC 1'));
  await sqlstate('42P01', '42P01', c.query('SELECT * FROM np_nowhere'));
  await sqlstate('22P02', '22P02', c.query('SELECT $1::int', ['abc']));

  await c.query('DROP TABLE IF EXISTS np_copy');
  await c.query('CREATE TABLE np_copy (a int, b text)');
  const lines = Array.from({ length: 1000 }, (_, k) => `${k}\tr${k}\n`).join('');
  await pipeline(Readable.from([lines]), c.query(copyFrom('COPY np_copy FROM STDIN')));
  check('COPY FROM', (await c.query('SELECT count(*)::int AS n FROM np_copy')).rows[0].n, 1000);
  const chunks = [];
  await pipeline(c.query(copyTo('COPY (SELECT a, b FROM np_copy WHERE a < 3 ORDER BY a) TO STDOUT WITH (FORMAT csv)')),
    new Writable({ write(chunk, _, done) { chunks.push(chunk); done(); } }));
  check('COPY TO (csv)', Buffer.concat(chunks).toString(), '0,r0\n1,r1\n2,r2\n');

  await c.query('BEGIN');
  const cursor = c.query(new Cursor('SELECT a FROM np_copy WHERE a < $1 ORDER BY a', [250]));
  const read = (n) => new Promise((ok, fail) => cursor.read(n, (e, rows) => (e ? fail(e) : ok(rows))));
  let total = 0, last = null, batch;
  while ((batch = await read(100)).length) { total += batch.length; last = batch[batch.length - 1].a; }
  await new Promise((ok) => cursor.close(ok));
  await c.query('COMMIT');
  check('cursor (Execute with a row limit)', [total, last], [250, 249]);

  const big = await c.query('SELECT g, g::text AS t FROM generate_series(1, 10000) g');
  check('10k rows', [big.rowCount, big.rows[9999].g, big.rows[9999].t], [10000, 10000, '10000']);
  await c.query('DROP TABLE np_types');
  await c.query('DROP TABLE np_copy');
  await c.end();
}

main().then(() => {
  if (failures.length) { console.log(`${failures.length} node-postgres check(s) failed: ${failures.join(', ')}`); process.exit(1); }
  console.log('node-postgres: all checks passed');
}, (e) => { console.log(`FAIL node-postgres: ${e.stack}`); process.exit(1); });
