package io.exodus.proxy.metrics;

import io.exodus.testsupport.RawPgConnection;
import io.exodus.testsupport.TestUsers;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

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

    /**
     * Extended-protocol messages as given ({@link #parse}, {@link #bind}, {@link #execute} …), then a Sync: one
     * request. Returns the SQLSTATE of its error, or null.
     */
    String extended(byte[]... messages) throws IOException {
        ByteArrayOutputStream batch = new ByteArrayOutputStream();
        for (byte[] message : messages) {
            batch.writeBytes(message);
        }
        batch.writeBytes(RawPgConnection.typed('S', new byte[0]));
        connection.send(batch.toByteArray());
        return readUntilReady();
    }

    /** A Parse of this statement name (empty: the unnamed statement), with no parameter types given. */
    static byte[] parse(String statement, String sql) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(RawPgConnection.cString(statement));
        body.writeBytes(RawPgConnection.cString(sql));
        body.writeBytes(new byte[] { 0, 0 });
        return RawPgConnection.typed('P', body.toByteArray());
    }

    /** A Bind of a portal (empty: the unnamed one) to a statement, with parameters in text format. */
    static byte[] bind(String portal, String statement, String... parameters) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(RawPgConnection.cString(portal));
        body.writeBytes(RawPgConnection.cString(statement));
        DataOutputStream out = new DataOutputStream(body);
        try {
            out.writeShort(0);
            out.writeShort(parameters.length);
            for (String parameter : parameters) {
                byte[] value = parameter.getBytes(StandardCharsets.UTF_8);
                out.writeInt(value.length);
                out.write(value);
            }
            out.writeShort(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return RawPgConnection.typed('B', body.toByteArray());
    }

    /** An Execute of a portal, with no row limit. */
    static byte[] execute(String portal) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(RawPgConnection.cString(portal));
        body.writeBytes(new byte[] { 0, 0, 0, 0 });
        return RawPgConnection.typed('E', body.toByteArray());
    }

    /** A Describe of a portal. */
    static byte[] describePortal(String portal) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write('P');
        body.writeBytes(RawPgConnection.cString(portal));
        return RawPgConnection.typed('D', body.toByteArray());
    }

    /** A Close of a statement. */
    static byte[] closeStatement(String statement) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write('S');
        body.writeBytes(RawPgConnection.cString(statement));
        return RawPgConnection.typed('C', body.toByteArray());
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
