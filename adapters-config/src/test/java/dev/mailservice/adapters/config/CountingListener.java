package dev.mailservice.adapters.config;

import dev.mailservice.application.port.out.ConfigRepository;
import java.util.concurrent.atomic.AtomicInteger;

/** Listens to a watch, counting what it is told. */
class CountingListener implements ConfigRepository.ChangeListener {

    /** Calls of {@link #storedConfigurationMayHaveChanged()}. */
    final AtomicInteger announcements = new AtomicInteger();
    /** Calls of {@link #watchResumed()}. */
    final AtomicInteger resumptions = new AtomicInteger();

    @Override
    public void storedConfigurationMayHaveChanged() {
        announcements.incrementAndGet();
    }

    @Override
    public void watchResumed() {
        resumptions.incrementAndGet();
    }
}
