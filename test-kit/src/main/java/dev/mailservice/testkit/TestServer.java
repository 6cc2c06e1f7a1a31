package dev.mailservice.testkit;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real server for the tests of one class: registered with {@code @RegisterExtension} on a static
 * field, it is started before the class's tests and closed after them. Outside JUnit (the
 * benchmark), call {@link #start()} and {@link #close()}.
 */
public abstract class TestServer implements BeforeAllCallback, AfterAllCallback, AutoCloseable {

    /** Starts the server and waits until it answers. */
    public abstract void start() throws Exception;

    /** Stops the server and deletes its data. */
    @Override
    public abstract void close() throws Exception;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        close();
    }
}
