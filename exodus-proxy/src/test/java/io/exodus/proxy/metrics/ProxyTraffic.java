package io.exodus.proxy.metrics;

import io.exodus.testsupport.RawPgConnection;
import io.exodus.testsupport.TestUsers;

import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * Known traffic for the metrics tests, sent with {@link RawPgConnection}: it sends exactly the requests written
 * here and nothing of its own (a driver would add start-up queries to the counts).
 */
final class ProxyTraffic implements AutoCloseable {
    private final RawPgConnection connection;

    private ProxyTraffic(RawPgConnection connection) {
        this.connection = connection;
    }

    /** A session of the md5-stored test user (RawPgConnection speaks md5, not SCRAM). */
    static ProxyTraffic open(int port) throws IOException {
        RawPgConnection connection = new RawPgConnection("127.0.0.1", port);
        try {
            connection.login(TestUsers.MD5_USER, TestUsers.MD5_PASSWORD, TestUsers.DEFAULT_DATABASE);
        } catch (IOException | RuntimeException e) {
            connection.close();
            throw e;
        }
        return new ProxyTraffic(connection);
    }

    /** One Query message; returns the SQLSTATE of its error, or null. */
    String simpleQuery(String sql) throws IOException {
        connection.send(RawPgConnection.query(sql));
        return readUntilReady();
    }

    /** Parse, Bind, Execute and Sync of an unnamed statement: one extended-protocol request. */
    String extendedQuery(String sql) throws IOException {
        ByteArrayOutputStream batch = new ByteArrayOutputStream();
        ByteArrayOutputStream parse = new ByteArrayOutputStream();
        parse.writeBytes(RawPgConnection.cString(""));
        parse.writeBytes(RawPgConnection.cString(sql));
        parse.writeBytes(new byte[] { 0, 0 });
        batch.writeBytes(RawPgConnection.typed('P', parse.toByteArray()));
        // portal "", statement "", no parameter formats, no parameters, no result formats
        batch.writeBytes(RawPgConnection.typed('B', new byte[] { 0, 0, 0, 0, 0, 0, 0, 0 }));
        // portal "", no row limit
        batch.writeBytes(RawPgConnection.typed('E', new byte[] { 0, 0, 0, 0, 0 }));
        batch.writeBytes(RawPgConnection.typed('S', new byte[0]));
        connection.send(batch.toByteArray());
        return readUntilReady();
    }

    private String readUntilReady() throws IOException {
        String sqlState = null;
        while (true) {
            RawPgConnection.Message message = connection.read();
            if (message.type() == 'E') {
                sqlState = message.sqlState();
            } else if (message.type() == 'Z') {
                return sqlState;
            }
        }
    }

    @Override
    public void close() throws IOException {
        connection.send(RawPgConnection.typed('X', new byte[0]));
        connection.close();
    }
}
