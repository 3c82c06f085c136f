package io.github.consulservlet.internal.registration;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The log records of consul-servlet's loggers while open (System.Logger goes to
 * java.util.logging in the tests), for tests of what a line says; nothing is printed.
 */
final class LogCapture extends Handler implements AutoCloseable {
    private static final Logger ROOT = Logger.getLogger("io.github.consulservlet");
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();

    LogCapture() {
        setLevel(Level.ALL);
        ROOT.addHandler(this);
    }

    /** The messages at {@code level} or above, as logged. */
    List<String> messages(Level level) {
        return records.stream().filter(r -> r.getLevel().intValue() >= level.intValue()).map(LogRecord::getMessage).toList();
    }

    List<LogRecord> records() {
        return List.copyOf(records);
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
        ROOT.removeHandler(this);
    }
}
