package io.exodus.analyzer.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.exodus.testsupport.ConnectionTarget;

/** exodus.analyzer.embedded.data-dir: the store's data, and the password to it, outlive the analyzer. */
class EmbeddedStoreTest {

    @TempDir
    Path folder;

    @Test
    void aKeptDataFolderKeepsItsRowsAndItsPasswordAcrossRestarts() throws Exception {
        Path dataDir = folder.resolve("store");
        EmbeddedStore first = new EmbeddedStore();
        String firstUrl = first.start(Optional.of(dataDir.toString()));
        try {
            execute(firstUrl, "CREATE TABLE kept (v int); INSERT INTO kept VALUES (42)");
        } finally {
            first.stop();
        }
        EmbeddedStore second = new EmbeddedStore();
        String secondUrl = second.start(Optional.of(dataDir.toString()));
        try {
            assertEquals(password(firstUrl), password(secondUrl), "the password initdb got is read back");
            try (Connection connection = connect(secondUrl); Statement statement = connection.createStatement();
                    ResultSet rows = statement.executeQuery("SELECT v FROM kept")) {
                rows.next();
                assertEquals(42, rows.getInt(1));
            }
        } finally {
            second.stop();
        }
    }

    private static void execute(String url, String sql) throws Exception {
        try (Connection connection = connect(url); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private static Connection connect(String url) throws Exception {
        URI uri = URI.create(url);
        return new ConnectionTarget(uri.getHost(), uri.getPort(), "postgres", password(url), "postgres", "disable")
                .openJdbc();
    }

    private static String password(String url) {
        String userInfo = URI.create(url).getUserInfo();
        return userInfo.substring(userInfo.indexOf(':') + 1);
    }
}
