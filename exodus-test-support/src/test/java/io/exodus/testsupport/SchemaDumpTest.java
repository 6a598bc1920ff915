package io.exodus.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

class SchemaDumpTest {

    private static final String DUMP = String.join("\n",
            "--",
            "-- PostgreSQL database dump",
            "--",
            "\\restrict hKRHVyzMY47RfTddHf37fHFY8h7yTE8Z",
            "SET statement_timeout = 0;",
            "--",
            "-- Name: t; Type: TABLE; Schema: public; Owner: postgres",
            "--",
            "",
            "CREATE TABLE public.t (a integer);",
            "ALTER TABLE public.t OWNER TO postgres;",
            "--",
            "-- Name: TABLE t; Type: COMMENT; Schema: public; Owner: postgres",
            "--",
            "COMMENT ON TABLE public.t IS 'one';",
            "--",
            "-- Name: TABLE t; Type: COMMENT; Schema: public; Owner: postgres",
            "--",
            "COMMENT ON TABLE public.t IS 'two';",
            "\\unrestrict hKRHVyzMY47RfTddHf37fHFY8h7yTE8Z",
            "");

    @Test
    void entriesAreKeyedByTypeSchemaAndNameWithoutTheRandomRestrictKey() {
        SchemaDump dump = SchemaDump.parse(DUMP);

        assertEquals(List.of("(preamble)", "TABLE public.t", "COMMENT public.TABLE t", "COMMENT public.TABLE t #2"),
                List.copyOf(dump.entries().keySet()));
        assertEquals("-- PostgreSQL database dump\nSET statement_timeout = 0;\n", dump.entries().get("(preamble)"));
        assertEquals("-- Name: t; Type: TABLE; Schema: public; Owner: postgres\nCREATE TABLE public.t (a integer);\n"
                + "ALTER TABLE public.t OWNER TO postgres;\n", dump.entries().get("TABLE public.t"));
    }
}
