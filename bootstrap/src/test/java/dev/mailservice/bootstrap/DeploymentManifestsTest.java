package dev.mailservice.bootstrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The deployment files of the distribution say what the service really does: the probes' paths
 * and ports are the ones it serves, every variable they set is one it reads, and each gives a stop
 * the time it may take.
 */
class DeploymentManifestsTest {

    private static final Path DEPLOY = Path.of("src/dist/deploy");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @RegisterExtension
    final AssembledService service = new AssembledService();

    private static JsonNode read(String file) throws Exception {
        return YAML.readTree(Files.readString(DEPLOY.resolve(file)));
    }

    /** The names of the variables the service reads, from the constants of {@link Settings} and its groups. */
    private static Set<String> variablesTheServiceReads() throws IllegalAccessException {
        Set<String> names = new HashSet<>();
        for (Class<?> settings : List.of(Settings.class, HttpSettings.class, MailSettings.class, BackendSettings.class,
                EtcdSettings.class, RedisSettings.class, TokenSettings.class)) {
            for (Field field : settings.getDeclaredFields()) {
                if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class
                        && !field.getName().startsWith("DEFAULT_")) {
                    names.add((String) field.get(null));
                }
            }
        }
        return names;
    }

    @Test
    void everyWayToRunItGivesAStopItsGraceItsDrainAndAMargin() throws Exception {
        Settings defaults = Settings.fromEnvironment(Map.of("SCOPED_JWT_SECRET", "s".repeat(32), "JWT_SECRET",
                "u".repeat(32)));
        // The closes after the drain: the follower's application under way (5 s), the OAuth 2.0 token
        // request under way (5 s) and the renewals (5 s), a refresh token's last store-back.
        long needed = defaults.http().shutdownGrace().plus(defaults.drainTimeout()).plusSeconds(20).toSeconds();

        long kubernetes = read("kubernetes/deployment.yaml").at("/spec/template/spec/terminationGracePeriodSeconds")
                .asLong();
        long compose = Long.parseLong(read("compose/docker-compose.mail-service.yml")
                .at("/services/mail-service/stop_grace_period").asText().replaceFirst("s$", ""));
        long systemd = Long.parseLong(Files.readAllLines(Path.of("src/dist/systemd/mail-service.service")).stream()
                .filter(line -> line.startsWith("TimeoutStopSec=")).findFirst().orElseThrow().substring(15));
        assertTrue(kubernetes >= needed, "Kubernetes gives " + kubernetes + " s, a stop may need " + needed);
        assertTrue(compose >= needed, "compose gives " + compose + " s, a stop may need " + needed);
        assertTrue(systemd >= needed, "systemd gives " + systemd + " s, a stop may need " + needed);
    }

    @Test
    void theDeploymentsProbesAreOnPathsAndAPortTheServiceServes() throws Exception {
        JsonNode container = read("kubernetes/deployment.yaml").at("/spec/template/spec/containers/0");
        Map<String, Integer> ports = new HashMap<>();
        container.get("ports").forEach(port -> ports.put(port.get("name").asText(), port.get("containerPort").asInt()));
        Map<String, String> environment = new HashMap<>();
        container.get("env").forEach(variable -> environment.put(variable.get("name").asText(),
                variable.get("value").asText()));

        assertEquals(Integer.toString(ports.get("http")), environment.get("PORT"));
        assertEquals(Integer.toString(ports.get("observe")), environment.get("OBSERVE_PORT"));
        assertTrue(variablesTheServiceReads().containsAll(environment.keySet()), environment.toString());
        for (String probe : new String[] {"startupProbe", "livenessProbe", "readinessProbe"}) {
            assertEquals("observe", container.at("/" + probe + "/httpGet/port").asText(), probe);
        }
        String live = container.at("/livenessProbe/httpGet/path").asText();
        String ready = container.at("/readinessProbe/httpGet/path").asText();
        assertEquals(live, container.at("/startupProbe/httpGet/path").asText());

        // The same set-up, observe endpoints on a port of their own: the probes' paths answer there.
        ServiceClient client = service.start(Map.of("SMTP_CONFIG_FILE", "absent.json", "OBSERVE_PORT", "0"));
        try (ServiceClient observe = new ServiceClient(service.observePort(), "unused")) {
            HttpResponse<String> liveAnswer = observe.call("GET", live, "none", null);
            HttpResponse<String> readyAnswer = observe.call("GET", ready, "none", null);
            assertEquals(200, liveAnswer.statusCode(), liveAnswer.body());
            assertEquals(200, readyAnswer.statusCode(), readyAnswer.body());
        }
        assertEquals(404, client.call("GET", ready, "none", null).statusCode(), "the probe path is on the API's port too");
    }

    @Test
    void theServicePodBudgetAndSecretFitTheDeployment() throws Exception {
        JsonNode deployment = read("kubernetes/deployment.yaml");
        JsonNode labels = deployment.at("/spec/template/metadata/labels");

        assertEquals(labels, read("kubernetes/service.yaml").at("/spec/selector"));
        assertEquals(labels, read("kubernetes/poddisruptionbudget.yaml").at("/spec/selector/matchLabels"));
        assertEquals("http", read("kubernetes/service.yaml").at("/spec/ports/0/targetPort").asText());
        JsonNode secret = read("kubernetes/secret.yaml");
        assertEquals(deployment.at("/spec/template/spec/containers/0/envFrom/0/secretRef/name").asText(),
                secret.at("/metadata/name").asText());
        Set<String> secretNames = new HashSet<>();
        secret.get("stringData").fieldNames().forEachRemaining(secretNames::add);
        assertEquals(Set.of(TokenSettings.SCOPED_JWT_SECRET, TokenSettings.JWT_SECRET), secretNames);
        assertTrue(read("kubernetes/configmap.yaml").at("/data").has("smtp.json"));
    }

    @Test
    void theComposeFragmentSetsOnlyVariablesTheServiceReads() throws Exception {
        JsonNode fragment = read("compose/docker-compose.mail-service.yml");
        Set<String> names = new HashSet<>();
        fragment.at("/services/mail-service/environment")
                .forEach(variable -> names.add(variable.asText().substring(0, variable.asText().indexOf('='))));

        assertTrue(names.contains("KV_STORE_TYPE") && names.contains("SECRET_KEY"), names.toString());
        assertTrue(variablesTheServiceReads().containsAll(names), names.toString());
    }
}
