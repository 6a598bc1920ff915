// node-postgres (pg) through Exodus: node node-postgres.js <table>
// Connection parameters come from the libpq environment. Unnamed parameterised queries (Parse, Bind, Describe,
// Execute and Sync in one request), named statements ({name, text, values}: parsed once, then only bound), and
// transactions that commit, roll back and fail.
'use strict'
const assert = require('node:assert/strict')
const { Client } = require('pg')

const table = '"' + process.argv[2] + '"'
const client = new Client({ connectionTimeoutMillis: 10000, query_timeout: 20000 })

const insertText = `insert into ${table} (n, note) values ($1, $2)`

async function unnamed(n, note) {
  assert.equal((await client.query(insertText, [n, note])).rowCount, 1)
}

async function named(n, note) {
  assert.equal((await client.query({ name: 'insert_row', text: insertText, values: [n, note] })).rowCount, 1)
}

async function update(n, suffix) {
  const updated = await client.query({ name: 'update_row', text: `update ${table} set note = note || $2 where n = $1`,
    values: [n, suffix] })
  assert.equal(updated.rowCount, 1)
}

async function main() {
  await client.connect()
  for (const n of [1, 2, 3]) {
    await unnamed(n, 'unnamed ' + n)
  }
  for (const n of [4, 5, 6]) {
    await named(n, 'named ' + n)
  }
  await update(1, ' updated')
  await update(4, ' updated')
  const deleted = await client.query({ name: 'delete_row', text: `delete from ${table} where n = $1`, values: [5] })
  assert.equal(deleted.rowCount, 1)
  const returned = await client.query({ name: 'insert_returning',
    text: `insert into ${table} (n, note) values ($1, $2) returning id, uid`, values: [7, 'returning'] })
  assert.match(returned.rows[0].uid, /^[0-9a-f-]{36}$/)
  await assert.rejects(client.query({ name: 'insert_with_id', text: `insert into ${table} (id, n, note) values ($1, $2, $3)`,
    values: [returned.rows[0].id, 0, 'duplicate key'] }), { code: '23505' })

  await client.query('BEGIN')
  await named(8, 'in a transaction')
  await unnamed(9, 'in a transaction')
  await update(8, ' updated')
  await client.query('COMMIT')

  await client.query('BEGIN')
  await named(10, 'rolled back')
  await client.query('ROLLBACK')

  await client.query('BEGIN')
  await named(11, 'in a failed transaction')
  await assert.rejects(named(null, 'no n'), { code: '23502' })
  await assert.rejects(named(12, 'after the failure'), { code: '25P02' })
  await client.query('ROLLBACK')

  await named(13, 'after the transactions')
}

main()
  .then(() => client.end())
  .catch(async error => {
    console.error(error)
    await client.end().catch(() => {})
    process.exit(1)
  })
