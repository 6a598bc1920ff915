package io.exodus.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A deliberately primitive PostgreSQL client over a plain socket, for tests that must send what no real driver
 * sends: malformed messages, unknown types, truncated packets. It speaks just enough (startup, md5 or trust
 * authentication, reading messages) to get a session to the point where the bad bytes go in.
 */
public final class RawPgConnection implements AutoCloseable {

    /** One message from the server. */
    public record Message(char type, byte[] body) {
        /** The fields of an ErrorResponse or NoticeResponse, by their one-letter codes. */
        public Map<Character, String> fields() {
            Map<Character, String> fields = new LinkedHashMap<>();
            int start = 0;
            while (start < body.length && body[start] != 0) {
                char code = (char) body[start];
                int end = start + 1;
                while (body[end] != 0) {
                    end++;
                }
                fields.put(code, new String(body, start + 1, end - start - 1, StandardCharsets.UTF_8));
                start = end + 1;
            }
            return fields;
        }

        public String sqlState() {
            return fields().get('C');
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    public RawPgConnection(String host, int port) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress(host, port), 5000);
        socket.setSoTimeout(10_000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /** How long a read waits before it gives up with a SocketTimeoutException. */
    public RawPgConnection readTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
        return this;
    }

    /** Sends a StartupMessage for protocol 3.0 and answers an md5 or cleartext request; stops at ReadyForQuery. */
    public void login(String user, String password, String database) throws IOException {
        send(startupPacket(3 << 16, Map.of("user", user, "database", database)));
        while (true) {
            Message message = read();
            switch (message.type()) {
                case 'R' -> answerAuthentication(message, user, password);
                case 'E' -> throw new IOException("login refused: " + message.fields());
                case 'Z' -> {
                    return;
                }
                default -> {
                }
            }
        }
    }

    private void answerAuthentication(Message message, String user, String password) throws IOException {
        ByteBuffer body = ByteBuffer.wrap(message.body());
        int code = body.getInt();
        switch (code) {
            case 0 -> {
            }
            case 3 -> send(typed('p', cString(password)));
            case 5 -> {
                byte[] salt = new byte[4];
                body.get(salt);
                String inner = md5Hex((password + user).getBytes(StandardCharsets.UTF_8));
                byte[] innerBytes = inner.getBytes(StandardCharsets.US_ASCII);
                byte[] salted = new byte[innerBytes.length + 4];
                System.arraycopy(innerBytes, 0, salted, 0, innerBytes.length);
                System.arraycopy(salt, 0, salted, innerBytes.length, 4);
                send(typed('p', cString("md5" + md5Hex(salted))));
            }
            default -> throw new IOException("RawPgConnection answers md5 and cleartext only, got request " + code);
        }
    }

    public void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Reads one typed message; fails on timeout or end of stream. */
    public Message read() throws IOException {
        byte type = in.readByte();
        int length = in.readInt();
        byte[] body = new byte[length - 4];
        in.readFully(body);
        return new Message((char) type, body);
    }

    /** Reads messages until an ErrorResponse and returns it; fails if the stream ends first. */
    public Message readUntilError() throws IOException {
        while (true) {
            Message message = read();
            if (message.type() == 'E') {
                return message;
            }
        }
    }

    /** Reads one raw byte (the answer to SSLRequest and GSSENCRequest has no framing). */
    public int readByte() throws IOException {
        return in.read();
    }

    /** Whether the server closed the connection (end of stream) within the socket timeout. */
    public boolean closedByPeer() throws IOException {
        try {
            while (in.read() >= 0) {
                // drain whatever was still queued
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (EOFException e) {
            return true;
        } catch (IOException e) {
            return e.getMessage() != null && e.getMessage().contains("reset");
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    public static byte[] startupPacket(int code, Map<String, String> parameters) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        writeInt(body, code);
        parameters.forEach((name, value) -> {
            body.writeBytes(cString(name));
            body.writeBytes(cString(value));
        });
        body.write(0);
        ByteArrayOutputStream packet = new ByteArrayOutputStream();
        writeInt(packet, body.size() + 4);
        packet.writeBytes(body.toByteArray());
        return packet.toByteArray();
    }

    /** A typed message with a correct length word. */
    public static byte[] typed(char type, byte[] body) {
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        message.write(type);
        writeInt(message, body.length + 4);
        message.writeBytes(body);
        return message.toByteArray();
    }

    public static byte[] query(String sql) {
        return typed('Q', cString(sql));
    }

    public static byte[] cString(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        byte[] terminated = new byte[bytes.length + 1];
        System.arraycopy(bytes, 0, terminated, 0, bytes.length);
        return terminated;
    }

    private static void writeInt(ByteArrayOutputStream out, int value) {
        out.write(value >>> 24);
        out.write(value >>> 16);
        out.write(value >>> 8);
        out.write(value);
    }

    private static String md5Hex(byte[] input) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(input));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
