package dev.mailservice.adapters.config;

import static dev.mailservice.adapters.config.ConfigRepositoryContractTest.eventually;

import dev.mailservice.application.port.out.ConfigRepository;
import dev.mailservice.testkit.EtcdCluster;
import dev.mailservice.testkit.LogCapture;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A watch served by a member that has lost its leader: etcd ends it, rather than keep it open and
 * silent while the other members may take writes, and it resumes once a leader is back.
 */
class EtcdLeaderlessWatchTest {

    @RegisterExtension
    static final EtcdCluster ETCD = EtcdCluster.threeMembers();

    @Test
    void aWatchOnAMemberWithoutALeaderIsLostAndResumesWithOne() throws Exception {
        CountingListener listener = new CountingListener();
        // The first member alone is asked, so that the watch stays on it.
        try (LogCapture log = LogCapture.of(EtcdStore.class);
                EtcdStore store = new EtcdStore(List.of(URI.create(ETCD.endpoints().getFirst())), Duration.ofSeconds(2),
                        PipesHubStoreContractTest.JDK_TRUST, ConfigRepositoryContractTest.MAX_VALUE_BYTES);
                ConfigRepository.Subscription ignored = store.watch(KeyValueConfigRepository.PATH, listener)) {
            eventually(() -> listener.announcements.get() > 0, "the watch did not start");

            ETCD.stop(1);
            ETCD.stop(2);
            eventually(() -> log.lines().stream().anyMatch(line -> line.startsWith("WARNING Lost the watch")),
                    "the watch on a member without a leader stayed open");

            ETCD.start(1);
            ETCD.start(2);
            eventually(() -> listener.resumptions.get() > 0, "the watch did not resume once a leader was back");
        }
    }
}
