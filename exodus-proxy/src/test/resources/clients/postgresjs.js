// postgres.js through Exodus: node postgresjs.js <prepared|unprepared|simple> <table>
// Connection parameters come from the libpq environment (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE).
// One connection (max: 1), so that the first execution of each statement is postgres.js's
// Parse + Describe + Flush, then Bind + Execute + Sync, and every later one a re-execution on the same connection.
// "simple": several statements in one simple Query (.simple(), and sql.unsafe of a text with semicolons).
'use strict'
const assert = require('node:assert/strict')
const postgres = require('postgres')

const [mode, table] = process.argv.slice(2)
const sql = postgres({ max: 1, prepare: mode === 'prepared', onnotice: () => {}, idle_timeout: 5 })
const t = sql(table)

async function insert(db, n, note) {
  const rows = await db`insert into ${t} (n, note) values (${n}, ${note})`
  assert.equal(rows.count, 1)
}

async function simple() {
  await sql`insert into ${t} (n, note) values (1, 'simple'); insert into ${t} (n, note) values (2, 'simple')`.simple()
  await sql.unsafe(`insert into "${table}" (n, note) values (3, 'unsafe'); update "${table}" set note = note || '!' where n = 1`)
  await insert(sql, 4, 'after them')
}

async function writes() {
  // First execution, then two re-executions of the same statement.
  for (const n of [1, 2, 3]) {
    await insert(sql, n, 'inserted ' + n)
  }
  const [returned] = await sql`insert into ${t} (n, note) values (${4}, ${'returning'}) returning id, uid, at`
  assert.match(returned.uid, /^[0-9a-f-]{36}$/)
  assert.equal((await sql`update ${t} set note = note || ${' updated'} where n = ${1}`).count, 1)
  assert.equal((await sql`update ${t} set note = note || ${' updated'} where n = ${2}`).count, 1)
  assert.equal((await sql`delete from ${t} where n = ${3}`).count, 1)
  assert.equal((await sql`insert into ${t} ${sql([{ n: 5, note: 'bulk' }, { n: 6, note: 'bulk' }], 'n', 'note')}`).count, 2)

  // A write that fails on its first execution, and one that fails on a re-execution: the session goes on.
  await assert.rejects(sql`insert into ${t} (id, n, note) values (${returned.id}, ${0}, ${'duplicate key'})`,
    { code: '23505' })
  await assert.rejects(insert(sql, null, 'no n'), { code: '23502' })

  await sql.begin(async tx => {
    await insert(tx, 7, 'in a transaction')
    await insert(tx, 8, 'in a transaction')
    assert.equal((await tx`update ${t} set note = note || ${' updated'} where n = ${7}`).count, 1)
  })
  await assert.rejects(sql.begin(async tx => {
    await insert(tx, 9, 'rolled back')
    throw new Error('roll back')
  }), /roll back/)
  await sql.begin(async tx => {
    await insert(tx, 10, 'before a savepoint')
    await assert.rejects(tx.savepoint(async sp => {
      await insert(sp, 11, 'rolled back to the savepoint')
      throw new Error('back to the savepoint')
    }), /back to the savepoint/)
    await tx.savepoint(async sp => insert(sp, 12, 'in a released savepoint'))
  })
  await insert(sql, 13, 'after the transactions')
}

(mode === 'simple' ? simple() : writes())
  .then(() => sql.end({ timeout: 5 }))
  .catch(async error => {
    console.error(error)
    await sql.end({ timeout: 1 })
    process.exit(1)
  })
