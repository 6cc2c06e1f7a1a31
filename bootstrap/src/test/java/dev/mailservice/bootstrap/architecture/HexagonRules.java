package dev.mailservice.bootstrap.architecture;

import static com.tngtech.archunit.base.DescribedPredicate.alwaysTrue;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.onionArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.lang.ArchRule;
import java.util.List;

/**
 * The architecture of the service, as rules over a base package laid out like this one:
 *
 * <pre>
 *   base.domain              values and rules              depends on: the JDK
 *   base.application.port    in-ports (use cases), out-ports   domain
 *   base.application.service use case implementations          ports, domain
 *   base.adapters.http       ┐
 *   base.adapters.config     ├ one technology each             ports, domain; never each other
 *   base.adapters.mail       ┘
 *   base.bootstrap           wiring (Guice) and start-up        everything
 * </pre>
 *
 * <p>The rules take the base package as a parameter so the tests can show that each one
 * catches a violation, on fixture classes laid out the same way.
 */
final class HexagonRules {

    /** Frameworks and libraries the core must never see; adapters wrap them. */
    static final List<String> FRAMEWORK_PACKAGES = List.of(
            "io.helidon..", "com.google.inject..", "jakarta.inject..", "javax.inject..", "com.fasterxml.jackson..",
            "io.etcd..", "io.grpc..", "jakarta.mail..", "org.eclipse.angus..", "org.jose4j..", "org.slf4j..");

    private final String base;

    HexagonRules(String base) {
        this.base = base;
    }

    private String[] core() {
        return new String[] {base + ".domain..", base + ".application.."};
    }

    /** The hexagon as one picture: the core in the middle, adapters around it, not touching each other. */
    ArchRule hexagon() {
        return onionArchitecture()
                .domainModels(base + ".domain..")
                .domainServices(base + ".application.port..")
                .applicationServices(base + ".application.service..")
                .adapter("http", base + ".adapters.http..")
                .adapter("config", base + ".adapters.config..")
                .adapter("mail", base + ".adapters.mail..")
                .withOptionalLayers(true)
                // Bootstrap assembles the hexagon, so it may reach every part of it.
                .ignoreDependency(resideInAPackage(base + ".bootstrap.."), alwaysTrue())
                .because("dependencies point inward: adapters depend on the core, never the reverse");
    }

    /** The domain needs nothing but the JDK. */
    ArchRule domainDependsOnTheJdkOnly() {
        return classes().that().resideInAPackage(base + ".domain..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", base + ".domain..")
                .allowEmptyShould(true);
    }

    /** The application needs nothing but the domain and the JDK. */
    ArchRule applicationDependsOnTheDomainAndTheJdkOnly() {
        return classes().that().resideInAPackage(base + ".application..")
                .should().onlyDependOnClassesThat()
                .resideInAnyPackage("java..", base + ".domain..", base + ".application..")
                .allowEmptyShould(true);
    }

    /** Named for the reader: the core imports no framework. Stricter rules above imply it. */
    ArchRule coreImportsNoFramework() {
        return noClasses().that().resideInAnyPackage(core())
                .should().dependOnClassesThat().resideInAnyPackage(FRAMEWORK_PACKAGES.toArray(String[]::new))
                .because("domain and application must compile and be tested without any framework")
                .allowEmptyShould(true);
    }

    /** Adapters reach the core through its ports and values, never through the service classes. */
    ArchRule adaptersUseOnlyPortsAndDomain() {
        return noClasses().that().resideInAPackage(base + ".adapters..")
                .should().dependOnClassesThat().resideInAPackage(base + ".application.service..")
                .allowEmptyShould(true);
    }

    /** One adapter never reaches into another: each can be swapped on its own. */
    ArchRule adaptersDoNotDependOnEachOther() {
        return slices().matching(base + ".adapters.(*)..").should().notDependOnEachOther()
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

    List<ArchRule> all() {
        return List.of(hexagon(), domainDependsOnTheJdkOnly(), applicationDependsOnTheDomainAndTheJdkOnly(),
                coreImportsNoFramework(), adaptersUseOnlyPortsAndDomain(), adaptersDoNotDependOnEachOther(),
                nothingDependsOnBootstrap(), guiceOnlyInBootstrap());
    }
}
