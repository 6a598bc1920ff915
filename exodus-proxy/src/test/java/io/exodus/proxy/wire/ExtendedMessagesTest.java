package io.exodus.proxy.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** The frontend messages the proxy reads, read back from what {@link FrontendMessages} writes. */
class ExtendedMessagesTest {

    private static PgMessage message(Buffer framed) {
        return new PgMessage(framed.getByte(0), framed.slice(5, framed.length()));
    }

    @Test
    void aParseGivesItsNameAndText() {
        PgMessage parse = message(FrontendMessages.parse("s1", "select $1", new int[] {23}));
        assertEquals(new Parse("s1", "select $1"), Parse.of(parse));
        assertEquals("s1", Parse.statementOf(parse));
        assertFalse(Parse.declaresNoTypes(parse));
        assertTrue(Parse.declaresNoTypes(message(FrontendMessages.parse("", "begin", new int[0]))));
    }

    @Test
    void aParseWithAnotherTextKeepsItsNameAndParameterTypes() {
        PgMessage parse = message(FrontendMessages.parse("s1", "insert into t values ($1)", new int[] {23, 25}));
        PgMessage rewritten = Parse.withSql(parse, "insert into t values ($1) returning *");
        assertEquals(FrontendMessageType.PARSE, rewritten.type());
        assertEquals(message(FrontendMessages.parse("s1", "insert into t values ($1) returning *", new int[] {23, 25})),
                rewritten);
    }

    @Test
    void aBindGivesItsPortalAndStatementAndSaysWhetherItPassesParameters() {
        PgMessage bind = message(FrontendMessages.bind("p1", "s1", new short[] {0}, List.of("7".getBytes(StandardCharsets.UTF_8)),
                new short[0]));
        assertEquals(new Bind("p1", "s1"), Bind.of(bind));
        assertEquals("p1", Bind.portalOf(bind));
        assertFalse(Bind.withoutParameters(bind));
        assertTrue(Bind.withoutParameters(message(FrontendMessages.bind("", "s2", new short[0], List.of(),
                new short[] {1}))));
    }

    @Test
    void describeAndCloseNameAStatementOrAPortal() {
        assertEquals(new NamedObject(true, "s1"), NamedObject.of(message(FrontendMessages.describeStatement("s1"))));
        assertEquals(new NamedObject(false, ""), NamedObject.of(message(FrontendMessages.describePortal(""))));
        assertTrue(NamedObject.of(message(FrontendMessages.closePortal("p1"))).portal());
        assertEquals("s9", NamedObject.of(message(FrontendMessages.closeStatement("s9"))).name());
    }

    @Test
    void executeAndQueryGiveTheirPortalAndText() {
        assertEquals("p1", Execute.portalOf(message(FrontendMessages.execute("p1", 1))));
        assertEquals("select 1", Query.textOf(message(FrontendMessages.query("select 1"))));
    }
}
