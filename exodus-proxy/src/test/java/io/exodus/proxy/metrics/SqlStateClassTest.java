package io.exodus.proxy.metrics;

import io.exodus.proxy.wire.ErrorResponse;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SqlStateClassTest {

    @Test
    void classIsTheFirstTwoCharactersOfTheSqlState() {
        assertEquals("22", SqlStateClass.name(SqlStateClass.of("22012")));
        assertEquals("08", SqlStateClass.name(SqlStateClass.of("08P01")));
        assertEquals("XX", SqlStateClass.name(SqlStateClass.of("XX000")));
        assertEquals("0A", SqlStateClass.name(SqlStateClass.of("0A000")));
    }

    @Test
    void malformedSqlStatesShareOneUnknownClass() {
        assertEquals("unknown", SqlStateClass.name(SqlStateClass.of("2")));
        assertEquals("unknown", SqlStateClass.name(SqlStateClass.of("a2000")));
        assertEquals("unknown", SqlStateClass.name(SqlStateClass.of(null)));
    }

    @Test
    void classIsReadFromTheCodeFieldOfAnErrorResponseBody() {
        Buffer message = new ErrorResponse("ERROR", "22012", "division by zero", "detail", "hint").encode();
        Buffer body = message.slice(5, message.length());
        assertEquals("22", SqlStateClass.name(SqlStateClass.ofErrorBody(body)));
    }

    @Test
    void bodyWithoutACodeFieldIsUnknown() {
        Buffer body = Buffer.buffer().appendByte((byte) 'S').appendString("ERROR").appendByte((byte) 0)
                .appendByte((byte) 'M').appendString("no code").appendByte((byte) 0).appendByte((byte) 0);
        assertEquals("unknown", SqlStateClass.name(SqlStateClass.ofErrorBody(body)));
        assertEquals("unknown", SqlStateClass.name(SqlStateClass.ofErrorBody(Buffer.buffer().appendByte((byte) 'C'))));
    }
}
