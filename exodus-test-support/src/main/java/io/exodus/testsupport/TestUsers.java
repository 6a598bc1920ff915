package io.exodus.testsupport;

/** The roles and databases that {@link TestDatabases} creates on both servers. */
public final class TestUsers {

    public static final String SUPERUSER = "postgres";
    public static final String SUPERUSER_PASSWORD = "postgres";

    /** A login role whose password is stored as a SCRAM-SHA-256 verifier. */
    public static final String SCRAM_USER = "app_scram";
    public static final String SCRAM_PASSWORD = "scram-secret";

    /** A login role whose password is stored as an md5 hash, as on servers upgraded from old versions. */
    public static final String MD5_USER = "app_md5";
    public static final String MD5_PASSWORD = "md5-secret";

    public static final String DEFAULT_DATABASE = "postgres";
    /** Owned by {@link #SCRAM_USER}. */
    public static final String APP_DATABASE = "app";

    private TestUsers() {
    }
}
