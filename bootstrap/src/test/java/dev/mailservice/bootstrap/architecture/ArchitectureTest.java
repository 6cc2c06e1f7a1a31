package dev.mailservice.bootstrap.architecture;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The rules hold for the service's own classes, and each rule fails on a set of fixture classes
 * (in this module's test sources, under {@code archfixtures}) that breaks exactly it.
 */
class ArchitectureTest {

    private static final String BASE = "dev.mailservice";
    private static final HexagonRules SERVICE = new HexagonRules(BASE);

    private static final JavaClasses SERVICE_CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(BASE);

    static Stream<ArchRule> serviceRules() {
        return SERVICE.all().stream();
    }

    @Test
    void theServiceHasClassesInEveryLayer() {
        for (String layer : new String[] {"domain", "application.port.in", "application.port.out",
                "application.service", "application.failure", "pipeshub", "adapters.http", "adapters.http.answers",
                "adapters.http.edge", "adapters.http.routes", "adapters.http.observe", "adapters.http.metrics",
                "adapters.config", "adapters.mail", "bootstrap"}) {
            assertTrue(SERVICE_CLASSES.stream().anyMatch(type -> type.getPackageName().equals(BASE + "." + layer)),
                    "no production class found in " + layer + ": the rules would check nothing there");
        }
    }

    @ParameterizedTest
    @MethodSource("serviceRules")
    void theServiceKeepsTheRule(ArchRule rule) {
        rule.check(SERVICE_CLASSES);
    }

    private static void assertCaught(String fixture, Function<HexagonRules, ArchRule> rule, String offender) {
        String base = "archfixtures." + fixture;
        JavaClasses classes = new ClassFileImporter().importPackages(base);
        assertTrue(classes.size() >= 2, "fixture " + fixture + " not found");
        AssertionError failure = assertThrows(AssertionError.class, () -> rule.apply(new HexagonRules(base)).check(classes),
                "the rule let fixture " + fixture + " through");
        assertTrue(failure.getMessage().contains(base + "." + offender), failure.getMessage());
    }

    @Test
    void theDomainMayNotUseAFramework() {
        assertCaught("domainusesjackson", HexagonRules::domainDependsOnTheJdkOnly, "domain.JsonAwareValue");
    }

    @Test
    void theApplicationMayNotUseAFramework() {
        assertCaught("applicationuseshelidon", HexagonRules::applicationDependsOnTheDomainAndTheJdkOnly,
                "application.service.HttpAwareService");
    }

    @Test
    void aUseCaseMayNotNameAnOutboundPort() {
        assertCaught("portscoupled", HexagonRules::inPortsAndOutPortsDoNotDependOnEachOther, "application.port.in.Reload");
    }

    @Test
    void theContractMayNotDependOnAnAdapter() {
        assertCaught("pipeshubjsonusesadapter", HexagonRules::pipeshubJsonDependsOnTheCoreAndJacksonOnly,
                "pipeshub.ConfigurationJson");
    }

    @Test
    void theDomainMayNotDependOnAnAdapter() {
        assertCaught("domainusesadapter", HexagonRules::hexagon, "domain.Configuration");
        assertCaught("domainusesadapter", HexagonRules::domainDependsOnTheJdkOnly, "domain.Configuration");
    }

    @Test
    void theApplicationMayNotDependOnAnAdapter() {
        assertCaught("applicationusesadapter", HexagonRules::hexagon, "application.service.Reload");
        assertCaught("applicationusesadapter", HexagonRules::applicationDependsOnTheDomainAndTheJdkOnly,
                "application.service.Reload");
    }

    @Test
    void anAdapterMayNotDependOnAnotherAdapter() {
        assertCaught("adapterscoupled", HexagonRules::hexagon, "adapters.http.Routes");
    }

    @Test
    void anAdapterMayNotUseAServiceClass() {
        assertCaught("adapterusesservice", HexagonRules::adaptersUseOnlyPortsAndDomain, "adapters.http.Routes");
    }

    @Test
    void nothingButBootstrapMayDependOnBootstrap() {
        assertCaught("adapterusesbootstrap", HexagonRules::nothingDependsOnBootstrap, "adapters.mail.Transport");
    }

    @Test
    void theHttpAnswersMayNotUseAnotherRoom() {
        assertCaught("httpanswersuseroute", HexagonRules::httpAnswersLeanOnNoOtherRoom, "adapters.http.answers.Answers");
    }

    @Test
    void anEdgeGuardMayNotKnowARoute() {
        assertCaught("httpedgeusesroute", HexagonRules::httpEdgeKnowsNoRoute, "adapters.http.edge.Guard");
    }

    @Test
    void aRouteMayNotReachTheServer() {
        assertCaught("httprouteusesserver", HexagonRules::httpRoutesDoNotAssembleTheServer, "adapters.http.routes.MailRoutes");
    }

    @Test
    void observabilityMayNotUseTheEdge() {
        assertCaught("httpobserveusesedge", HexagonRules::httpObservabilityStandsApart, "adapters.http.observe.Health");
    }

    @Test
    void guiceMayNotAppearOutsideBootstrap() {
        assertCaught("guiceinadapter", HexagonRules::guiceOnlyInBootstrap, "adapters.config.Repository");
    }
}
