package io.exodus.proxy.metrics;

import io.exodus.proxy.wire.FrontendMessageType;
import io.exodus.proxy.wire.NamedObject;
import io.netty.buffer.ByteBuf;

/**
 * Tells the {@link StatementClass} of each request a connection carries, from the first bytes of its Query, Parse,
 * Bind, Execute and Close messages ({@link #bytesWanted}), without holding them. A request ends with a Query, a Sync
 * or a FunctionCall, as {@link RequestProtocol} counts them:
 * <ul>
 * <li>a Query takes the class of its text;</li>
 * <li>an extended-protocol request (everything up to a Sync), the most write-like class of the statements its
 * Executes run: an Execute runs the portal that a Bind made of a statement that a Parse prepared, each named or
 * unnamed, in this request or an earlier one. A request that executes nothing (a Parse and a Describe, say) takes the
 * class of the statements it parses; one that does neither is {@code other};</li>
 * <li>a FunctionCall is {@code other}.</li>
 * </ul>
 * The class of each named statement is kept until a Close names it, at most {@value #MAX_NAMES} of them: a session
 * that has more gets {@code other} for those it named last. Named portals are kept likewise, except that a full
 * table of portals is emptied to make room (portals end with their transaction; those a client never closed would
 * otherwise fill it for good). Names are told apart by their first {@value #NAME_BYTES} bytes, as PostgreSQL tells
 * them apart; a name longer than the bytes read leaves its statement or portal unknown, hence {@code other}.
 * <p>
 * Allocates nothing, except the tables of names when they first fill or grow. Not thread-safe: one instance follows
 * one connection, on its event loop.
 */
public final class RequestClassifier {
    /** Bytes of a statement's text that are read; a statement whose first keyword lies beyond them is other. */
    public static final int TEXT_BYTES = 64;
    /** PostgreSQL's NAMEDATALEN - 1: statement and portal names count up to this many bytes. */
    static final int NAME_BYTES = 63;
    /** Named statements, and named portals, remembered per connection. */
    static final int MAX_NAMES = 1000;
    private static final int NONE = -1;
    private static final int OTHER = StatementClass.OTHER.ordinal();

    private final NameClasses statements = new NameClasses(MAX_NAMES, false);
    private final NameClasses portals = new NameClasses(MAX_NAMES, true);
    private int unnamedStatement = OTHER;
    private int unnamedPortal = OTHER;
    /** Most write-like class executed by the request so far, or NONE. */
    private int executed = NONE;
    /** Most write-like class parsed by the request so far, or NONE. */
    private int parsed = NONE;

    /** How many leading body bytes of a client message of this type {@link #read} needs; 0 for the other types. */
    public static int bytesWanted(byte type) {
        return switch (type) {
            case FrontendMessageType.QUERY -> TEXT_BYTES;
            // The statement's name, its terminator, then its text.
            case FrontendMessageType.PARSE -> NAME_BYTES + 1 + TEXT_BYTES;
            // The portal's name, then the statement's.
            case FrontendMessageType.BIND -> 2 * (NAME_BYTES + 1);
            case FrontendMessageType.EXECUTE -> NAME_BYTES + 1;
            // 'S' or 'P', then the name.
            case FrontendMessageType.CLOSE -> 1 + NAME_BYTES + 1;
            default -> 0;
        };
    }

    /**
     * Reads the start of a client message's body: {@code length} bytes of {@code body} from {@code index}, of which
     * at most {@link #bytesWanted} are looked at (the buffer's indexes do not move). Types other than Query, Parse,
     * Bind, Execute and Close are ignored.
     */
    public void read(byte type, ByteBuf body, int index, int length) {
        int end = index + Math.min(length, bytesWanted(type));
        switch (type) {
            case FrontendMessageType.QUERY -> executed = Math.max(executed, StatementClass.of(body, index, end - index)
                    .ordinal());
            case FrontendMessageType.PARSE -> parse(body, index, end);
            case FrontendMessageType.BIND -> bind(body, index, end);
            case FrontendMessageType.EXECUTE -> executed = Math.max(executed, portalClass(body, index, end));
            case FrontendMessageType.CLOSE -> close(body, index, end);
            default -> {
            }
        }
    }

    /** The request read so far is complete (its Query, Sync or FunctionCall went by): its class. Starts the next. */
    public StatementClass endRequest() {
        int result = executed != NONE ? executed : parsed != NONE ? parsed : OTHER;
        executed = NONE;
        parsed = NONE;
        return StatementClass.ofOrdinal(result);
    }

    /**
     * Reads whole framed messages, as a connection to a database is written: {@code length} bytes of {@code
     * messages} from {@code index}. Returns the most write-like class of the requests they end (several, when one
     * write carries BEGIN, a statement and COMMIT, say), {@code other} if they end none; messages after the last end
     * count for the next request.
     */
    public StatementClass readRequests(ByteBuf messages, int index, int length) {
        StatementClass result = StatementClass.OTHER;
        int end = index + length;
        int position = index;
        while (position + 5 <= end) {
            byte type = messages.getByte(position);
            int messageLength = messages.getInt(position + 1);
            if (messageLength < 4) {
                break;
            }
            int bodyStart = position + 5;
            read(type, messages, bodyStart, Math.min(end, position + 1 + messageLength) - bodyStart);
            if (RequestProtocol.ordinalEndedBy(type) >= 0) {
                result = StatementClass.mostWriteLike(result, endRequest());
            }
            position += 1 + messageLength;
        }
        return result;
    }

    /** Named statements remembered; for tests. */
    int namedStatements() {
        return statements.size();
    }

    /** Parse: statement name, then its text. */
    private void parse(ByteBuf body, int index, int end) {
        int nameEnd = terminator(body, index, end);
        if (nameEnd < 0) {
            parsed = Math.max(parsed, OTHER);
            return;
        }
        int textStart = nameEnd + 1;
        int statementClass = StatementClass.of(body, textStart, Math.min(end, textStart + TEXT_BYTES) - textStart)
                .ordinal();
        if (nameEnd == index) {
            unnamedStatement = statementClass;
        } else {
            statements.put(key(body, index, nameEnd), statementClass);
        }
        parsed = Math.max(parsed, statementClass);
    }

    /** Bind: portal name, then statement name. */
    private void bind(ByteBuf body, int index, int end) {
        int portalEnd = terminator(body, index, end);
        if (portalEnd < 0) {
            return;
        }
        int statementEnd = terminator(body, portalEnd + 1, end);
        int statementClass;
        if (statementEnd < 0) {
            statementClass = OTHER;
        } else if (statementEnd == portalEnd + 1) {
            statementClass = unnamedStatement;
        } else {
            statementClass = orOther(statements.get(key(body, portalEnd + 1, statementEnd)));
        }
        if (portalEnd == index) {
            unnamedPortal = statementClass;
        } else {
            portals.put(key(body, index, portalEnd), statementClass);
        }
    }

    /** Execute: the class of the portal it names. */
    private int portalClass(ByteBuf body, int index, int end) {
        int portalEnd = terminator(body, index, end);
        if (portalEnd < 0) {
            return OTHER;
        }
        return portalEnd == index ? unnamedPortal : orOther(portals.get(key(body, index, portalEnd)));
    }

    /** Close: 'S' or 'P', then the name. */
    private void close(ByteBuf body, int index, int end) {
        if (end - index < 2) {
            return;
        }
        boolean statement = body.getByte(index) == NamedObject.STATEMENT;
        int nameEnd = terminator(body, index + 1, end);
        if (nameEnd < 0) {
            return;
        }
        if (nameEnd == index + 1) {
            if (statement) {
                unnamedStatement = OTHER;
            } else {
                unnamedPortal = OTHER;
            }
        } else {
            (statement ? statements : portals).remove(key(body, index + 1, nameEnd));
        }
    }

    private static long key(ByteBuf body, int nameStart, int nameEnd) {
        return NameClasses.key(body, nameStart, Math.min(nameEnd, nameStart + NAME_BYTES));
    }

    private static int orOther(int statementClass) {
        return statementClass == NameClasses.UNKNOWN ? OTHER : statementClass;
    }

    /** The index of the zero byte that ends the string at {@code index}, or -1 if none comes before {@code end}. */
    private static int terminator(ByteBuf body, int index, int end) {
        for (int i = index; i < end; i++) {
            if (body.getByte(i) == 0) {
                return i;
            }
        }
        return -1;
    }
}
