package dev.mailservice.application.port.in;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Use case: tell whether this replica can serve, for the probes of an orchestrator or a load
 * balancer. It holds no configuration value and no secret.
 */
public interface GetServiceHealth {

    /**
     * The last time the backend was read.
     *
     * @param source    the backend's kind: {@code file}, {@code etcd}, {@code redis}
     * @param reachable whether that read reached it
     * @param at        when
     */
    record BackendContact(String source, boolean reachable, Instant at) {

        public BackendContact {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(at, "at");
        }
    }

    /**
     * @param smtpActive whether a configuration is active, so that mail can be sent
     * @param appliedAt  when the active configuration became active
     * @param backend    the last contact with the backend; empty before the first read
     */
    record ServiceHealth(boolean smtpActive, Optional<Instant> appliedAt, Optional<BackendContact> backend) {

        public ServiceHealth {
            Objects.requireNonNull(appliedAt, "appliedAt");
            Objects.requireNonNull(backend, "backend");
        }
    }

    ServiceHealth health();
}
