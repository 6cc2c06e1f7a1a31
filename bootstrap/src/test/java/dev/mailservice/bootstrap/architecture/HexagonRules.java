package dev.mailservice.bootstrap.architecture;

import static com.tngtech.archunit.base.DescribedPredicate.alwaysTrue;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.onionArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.lang.ArchRule;
import java.util.Arrays;
import java.util.List;

/**
 * The architecture of the service, as rules over a base package laid out like this one:
 *
 * <pre>
 *   base.domain              values and rules                    depends on: the JDK
 *   base.application.failure the core's failures (one sealed set)    domain
 *   base.application.port    in-ports (use cases), out-ports         domain, failures; never each other
 *   base.application.service use case implementations                ports, failures, domain
 *   base.pipeshub            PipesHub's JSON configuration object  core, Jackson
 *   base.adapters.http       ┐
 *   base.adapters.config     ├ one technology each                   core, pipeshub; never each other
 *   base.adapters.mail       ┘
 *   base.adapters.http has rooms by role, each leaning only on those below it:
 *     .answers   JSON bodies, failures as answers               no other room
 *     .edge      guards: deadlines, sizes, memory, tokens        answers
 *     .routes    the contract's routes                           edge, answers
 *     .observe   health, metrics and API document; access log    no other room
 *     .metrics   the ServiceMetrics out-port as Helidon meters   no other room
 *     (itself)   the server, assembling the rooms                every room
 *   base.bootstrap           wiring (Guice) and start-up              everything
 * </pre>
 *
 * <p>Each rule says something no other rule implies. The rules take the base package as a
 * parameter so the tests can show that each one catches a violation, on fixture classes laid
 * out the same way.
 */
final class HexagonRules {

    private final String base;

    HexagonRules(String base) {
        this.base = base;
    }

    /**
     * The hexagon as one picture: the core in the middle, adapters around it, not touching each
     * other. It also keeps the core off the adapters, which the two "depends on" rules below state
     * more strictly for the domain and the application.
     */
    ArchRule hexagon() {
        return onionArchitecture()
                .domainModels(base + ".domain..")
                .domainServices(base + ".application.port..", base + ".application.failure..")
                .applicationServices(base + ".application.service..")
                .adapter("http", base + ".adapters.http..")
                .adapter("config", base + ".adapters.config..")
                .adapter("mail", base + ".adapters.mail..")
                .withOptionalLayers(true)
                // Bootstrap assembles the hexagon, so it may reach every part of it.
                .ignoreDependency(resideInAPackage(base + ".bootstrap.."), alwaysTrue())
                // PipesHub's JSON is a library of the adapters; pipeshubJsonDependsOnTheCoreAndJacksonOnly bounds it.
                .ignoreDependency(resideInAPackage(base + ".pipeshub.."), alwaysTrue())
                .because("dependencies point inward: adapters depend on the core, never the reverse");
    }

    /**
     * The domain needs nothing but the JDK: no framework, no JSON, no adapter. The JDK's own
     * {@code javax.crypto} (in {@code java.base}) is part of it: a stored value's version is an HMAC.
     */
    ArchRule domainDependsOnTheJdkOnly() {
        return classes().that().resideInAPackage(base + ".domain..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "javax.crypto..", base + ".domain..")
                .because("the domain must compile and be tested without any framework")
                .allowEmptyShould(true);
    }

    /** The application needs nothing but the domain and the JDK: no framework, no JSON, no adapter. */
    ArchRule applicationDependsOnTheDomainAndTheJdkOnly() {
        return classes().that().resideInAPackage(base + ".application..")
                .should().onlyDependOnClassesThat()
                .resideInAnyPackage("java..", base + ".domain..", base + ".application..")
                .because("the application must compile and be tested without any framework")
                .allowEmptyShould(true);
    }

    /** A use case never names an outbound port, nor an outbound port a use case: each side changes alone. */
    ArchRule inPortsAndOutPortsDoNotDependOnEachOther() {
        return slices().matching(base + ".application.port.(*)..").should().notDependOnEachOther()
                .because("what the service offers and what it needs are described independently")
                .allowEmptyShould(true);
    }

    /** The wire format sits between the adapters and the core, and knows neither an adapter nor start-up. */
    ArchRule pipeshubJsonDependsOnTheCoreAndJacksonOnly() {
        return classes().that().resideInAPackage(base + ".pipeshub..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "com.fasterxml.jackson..",
                        base + ".domain..", base + ".application.port.in..", base + ".application.failure..",
                        base + ".pipeshub..")
                .because("both the HTTP and the config adapter read PipesHub's JSON through it, and it refuses "
                        + "what it cannot read with the use cases' failure")
                .allowEmptyShould(true);
    }

    /** Adapters reach the core through its ports and values, never through the service classes. */
    ArchRule adaptersUseOnlyPortsAndDomain() {
        return noClasses().that().resideInAPackage(base + ".adapters..")
                .should().dependOnClassesThat().resideInAPackage(base + ".application.service..")
                .allowEmptyShould(true);
    }

    /** Only start-up knows how the service is assembled. */
    ArchRule nothingDependsOnBootstrap() {
        return noClasses().that().resideOutsideOfPackage(base + ".bootstrap..")
                .and().resideInAPackage(base + "..")
                .should().dependOnClassesThat().resideInAPackage(base + ".bootstrap..")
                .allowEmptyShould(true);
    }

    /** Guice stays in bootstrap: everything else is plain constructors. */
    ArchRule guiceOnlyInBootstrap() {
        return noClasses().that().resideOutsideOfPackage(base + ".bootstrap..")
                .should().dependOnClassesThat().resideInAnyPackage("com.google.inject..", "jakarta.inject..",
                        "javax.inject..")
                .because("Guice modules in bootstrap call plain constructors; no other code knows Guice")
                .allowEmptyShould(true);
    }

    /** How the service answers (JSON, failures) is decided in one room that leans on no other. */
    ArchRule httpAnswersLeanOnNoOtherRoom() {
        return httpRoom("answers", "the server", "routes", "edge", "observe", "metrics")
                .because("every room answers through it, so it must not know them");
    }

    /** The edge guards every route alike, so it knows no route, and answers through the answers room. */
    ArchRule httpEdgeKnowsNoRoute() {
        return httpRoom("edge", "the server", "routes", "observe", "metrics")
                .because("a guard holds for every route and is assembled by the server");
    }

    /** Routes are handed their guards and answers; they do not assemble the server or observe it. */
    ArchRule httpRoutesDoNotAssembleTheServer() {
        return httpRoom("routes", "the server", "observe", "metrics")
                .because("the server assembles the routes with the edge, observability and the meters");
    }

    /** Observability and the meters adapter stand apart from the routes and their guards. */
    ArchRule httpObservabilityStandsApart() {
        return noClasses().that().resideInAnyPackage(base + ".adapters.http.observe..", base + ".adapters.http.metrics..")
                .should().dependOnClassesThat().resideInAnyPackage(roomPackages("the server", "routes", "edge", "answers"))
                .because("health and meters must answer whatever the routes and their guards do")
                .allowEmptyShould(true);
    }

    private ArchRule httpRoom(String room, String... notRooms) {
        return noClasses().that().resideInAPackage(base + ".adapters.http." + room + "..")
                .should().dependOnClassesThat().resideInAnyPackage(roomPackages(notRooms))
                .allowEmptyShould(true);
    }

    /** The packages of the HTTP adapter's rooms; "the server" is the adapter's own package. */
    private String[] roomPackages(String... rooms) {
        return Arrays.stream(rooms)
                .map(room -> room.equals("the server") ? base + ".adapters.http" : base + ".adapters.http." + room + "..")
                .toArray(String[]::new);
    }

    List<ArchRule> all() {
        return List.of(hexagon(), domainDependsOnTheJdkOnly(), applicationDependsOnTheDomainAndTheJdkOnly(),
                inPortsAndOutPortsDoNotDependOnEachOther(), pipeshubJsonDependsOnTheCoreAndJacksonOnly(),
                adaptersUseOnlyPortsAndDomain(), nothingDependsOnBootstrap(), guiceOnlyInBootstrap(),
                httpAnswersLeanOnNoOtherRoom(), httpEdgeKnowsNoRoute(), httpRoutesDoNotAssembleTheServer(),
                httpObservabilityStandsApart());
    }
}
