package dev.mailservice.bootstrap;

import java.util.logging.LogManager;

/**
 * A log manager that keeps its handlers when the JVM exits. The JDK's own shutdown hook resets
 * logging while the other hooks still run, so the service's last lines ("stopped") would be
 * lost; the console handler flushes every record, so nothing needs the reset.
 */
public final class KeepHandlersLogManager extends LogManager {

    private static volatile boolean keepHandlers;

    /** From now on, {@link #reset()} does nothing. */
    static void keepHandlersUntilExit() {
        keepHandlers = true;
    }

    @Override
    public void reset() {
        if (!keepHandlers) {
            super.reset();
        }
    }
}
