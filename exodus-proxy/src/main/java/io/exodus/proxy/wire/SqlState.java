package io.exodus.proxy.wire;

/** The SQLSTATE codes the proxy itself reports (PostgreSQL's Appendix A). */
public final class SqlState {
    public static final String PROTOCOL_VIOLATION = "08P01";
    public static final String CONNECTION_FAILURE = "08006";
    public static final String SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION = "08001";
    public static final String FEATURE_NOT_SUPPORTED = "0A000";
    /** Text that is not valid in the encoding it is read in (PostgreSQL's character_not_in_repertoire). */
    public static final String CHARACTER_NOT_IN_REPERTOIRE = "22021";
    /** A character with no equivalent in the encoding it is converted to (PostgreSQL's untranslatable_character). */
    public static final String UNTRANSLATABLE_CHARACTER = "22P05";
    /** Data that cannot be a COPY stream of its format (PostgreSQL's bad_copy_file_format). */
    public static final String BAD_COPY_FILE_FORMAT = "22P04";
    /** A statement that cannot run inside a transaction block ran in one (PostgreSQL's active_sql_transaction). */
    public static final String ACTIVE_SQL_TRANSACTION = "25001";
    public static final String INVALID_AUTHORIZATION_SPECIFICATION = "28000";
    public static final String INVALID_PASSWORD = "28P01";
    public static final String INSUFFICIENT_PRIVILEGE = "42501";
    public static final String PROGRAM_LIMIT_EXCEEDED = "54000";
    public static final String OBJECT_NOT_IN_PREREQUISITE_STATE = "55000";
    /** A lock wait outlasted {@code lock_timeout} (or {@code NOWAIT} met a lock). */
    public static final String LOCK_NOT_AVAILABLE = "55P03";
    public static final String ADMIN_SHUTDOWN = "57P01";
    public static final String CANNOT_CONNECT_NOW = "57P03";
    public static final String INTERNAL_ERROR = "XX000";
    /** A unique index refused a row (PostgreSQL's unique_violation). */
    public static final String UNIQUE_VIOLATION = "23505";
    /** The database named does not exist (PostgreSQL's invalid_catalog_name). */
    public static final String INVALID_CATALOG_NAME = "3D000";
    /** The schema named does not exist (PostgreSQL's invalid_schema_name). */
    public static final String INVALID_SCHEMA_NAME = "3F000";
    /** The table named does not exist (PostgreSQL's undefined_table). */
    public static final String UNDEFINED_TABLE = "42P01";
    /** The column named does not exist (PostgreSQL's undefined_column). */
    public static final String UNDEFINED_COLUMN = "42703";
    /** The object named does not exist, such as a prepared transaction's gid (PostgreSQL's undefined_object). */
    public static final String UNDEFINED_OBJECT = "42704";

    private SqlState() {
    }
}
