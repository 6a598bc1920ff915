package io.exodus.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The progress line: redrawn in place on a terminal, a line per change of state in a pipe. */
class ProgressTest {

    @Test
    void onATerminalOneLineIsRedrawnInPlace() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Progress progress = new Progress(new PrintStream(bytes, true, StandardCharsets.UTF_8), true);
        progress.show("copying", "copying 10 rows");
        progress.show("copying", "copying 20 rows");
        progress.end();
        assertEquals("\rcopying 10 rows\033[K\rcopying 20 rows\033[K" + System.lineSeparator(),
                bytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void inAPipeALineIsPrintedWhenTheStateChanges() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Progress progress = new Progress(new PrintStream(bytes, true, StandardCharsets.UTF_8), false);
        progress.show("copying", "copying 10 rows");
        progress.show("copying", "copying 20 rows");
        progress.show("catching-up", "catching-up 30 rows");
        progress.end();
        String n = System.lineSeparator();
        assertEquals("copying 10 rows" + n + "catching-up 30 rows" + n, bytes.toString(StandardCharsets.UTF_8));
    }
}
