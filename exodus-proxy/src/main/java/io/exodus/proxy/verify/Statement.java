package io.exodus.proxy.verify;

import io.vertx.sqlclient.Tuple;

/** A query verification sends to one database, with its parameters. */
record Statement(String sql, Tuple parameters) {
}
