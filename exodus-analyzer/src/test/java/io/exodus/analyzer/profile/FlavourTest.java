package io.exodus.analyzer.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

class FlavourTest {

    @Test
    void recognisesManagedServicesByTheirMarks() {
        assertEquals(Flavour.AURORA, recognise("PostgreSQL 15.4", List.of("rds_superuser"), List.of("rds"),
                List.of("aurora_version")), "Aurora carries RDS' marks too");
        assertEquals(Flavour.RDS, recognise("PostgreSQL 15.4", List.of("rds_superuser"), List.of(), List.of()));
        assertEquals(Flavour.CLOUD_SQL, recognise("PostgreSQL 15.4", List.of(), List.of("cloudsql"), List.of()));
        assertEquals(Flavour.AZURE, recognise("PostgreSQL 15.4", List.of("azure_pg_admin"), List.of(), List.of()));
        assertEquals(Flavour.SUPABASE, recognise("PostgreSQL 15.4", List.of("supabase_admin"), List.of(), List.of()));
        assertEquals(Flavour.NEON, recognise("PostgreSQL 16.2", List.of(), List.of("neon"), List.of()));
        assertEquals(Flavour.LAKEBASE, recognise("PostgreSQL 16.2", List.of("databricks_superuser"), List.of(),
                List.of()));
        assertEquals(Flavour.COCKROACHDB, recognise("CockroachDB CCL v23.2.1 (x86_64-pc-linux-gnu)", List.of(),
                List.of(), List.of()));
        assertEquals(Flavour.SELF_HOSTED, recognise("PostgreSQL 15.19 on x86_64-pc-linux-gnu", List.of(),
                List.of("pg_stat_statements"), List.of()));
    }

    @Test
    void saysWhatItRecognisedAServiceBy() {
        assertEquals("role rds_superuser", Flavour.recognise(new Flavour.Marks("PostgreSQL 15.4",
                List.of("rds_superuser"), List.of(), List.of())).evidence());
    }

    private static Flavour recognise(String version, List<String> roles, List<String> prefixes,
            List<String> functions) {
        return Flavour.recognise(new Flavour.Marks(version, roles, prefixes, functions)).flavour();
    }
}
