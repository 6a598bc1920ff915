package io.exodus.testsupport;

import org.jboss.logmanager.ExtLogRecord;

import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** What one logger logs while a test watches it, each message as it would be printed; closing stops the watch. */
public final class RecordedLog extends Handler implements AutoCloseable {
    private final Logger logger;
    private final Queue<LogRecord> records = new ConcurrentLinkedQueue<>();

    private RecordedLog(Logger logger) {
        this.logger = logger;
    }

    /** Starts recording what the logger of this name (a class's, for JBoss Logging) logs from now on. */
    public static RecordedLog of(String loggerName) {
        RecordedLog log = new RecordedLog(Logger.getLogger(loggerName));
        log.logger.addHandler(log);
        return log;
    }

    /** The messages logged at exactly this level (WARN is java.util.logging's WARNING), formatted, in order. */
    public List<String> at(Level level) {
        return records.stream().filter(record -> record.getLevel().intValue() == level.intValue())
                .map(record -> record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage())
                .toList();
    }

    @Override
    public void publish(LogRecord record) {
        records.add(record);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
