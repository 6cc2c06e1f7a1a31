package dev.mailservice.application.service;

import static dev.mailservice.application.service.Fakes.configuration;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.mailservice.application.failure.BackendUnavailable;
import dev.mailservice.application.failure.InvalidInput;
import dev.mailservice.application.port.in.GetServiceHealth.BackendContact;
import dev.mailservice.application.port.in.GetServiceHealth.ServiceHealth;
import dev.mailservice.application.port.in.SmtpStatus;
import dev.mailservice.application.port.out.SmtpCredentials;
import dev.mailservice.domain.OAuth2Login;
import dev.mailservice.domain.OpaqueFields;
import dev.mailservice.domain.Password;
import dev.mailservice.domain.SmtpConfiguration;
import dev.mailservice.domain.StoredSmtpConfiguration;
import dev.mailservice.testkit.LogCapture;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the status and health use cases show, as the reloads write it on the board, and what the log says meanwhile. */
class SmtpStatusBoardTest {

    private static final Instant NOW = Instant.parse("2026-03-04T05:06:07Z");

    private final Fakes.Repository repository = new Fakes.Repository();
    private final Fakes.Metrics metrics = new Fakes.Metrics();
    private final Core core = new Core(repository, new Fakes.TransportFactory(), metrics, Clock.fixed(NOW, ZoneOffset.UTC));
    private final GetServiceHealthService health = new GetServiceHealthService(core.board);
    private final GetSmtpStatusService status = new GetSmtpStatusService(core.board);
    private LogCapture log;

    @BeforeEach
    void captureTheLog() {
        log = LogCapture.of(SmtpStatusBoard.class);
    }

    @AfterEach
    void detachLog() {
        log.close();
    }

    @Test
    void beforeAnyReadHealthKnowsNoBackendAndNoConfiguration() {
        assertEquals(new ServiceHealth(false, Optional.empty(), Optional.empty()), health.health());
        assertEquals(new SmtpStatus(Optional.empty(), Optional.empty(), List.of(), Optional.empty(), Optional.empty()), status.status());
    }

    @Test
    void anAppliedConfigurationIsShownWithWhenAndWhereFromAndLoggedWithItsRevision() {
        repository.stores(configuration("smtp.example.com"), 7);

        core.reload().reload();

        assertEquals(new ServiceHealth(true, Optional.of(NOW), Optional.of(new BackendContact("fake", true, NOW))),
                health.health());
        assertEquals(Optional.of(new SmtpStatus.Applied(configuration("smtp.example.com"), NOW, "fake", 7)),
                status.status().active());
        assertEquals(List.of("INFO Applied the SMTP configuration from fake (revision 7): server smtp.example.com:587, "
                + "sending as noreply@example.com"), log.lines());
    }

    @Test
    void aConfigurationWithoutRevisionIsLoggedWithoutOneAndItsWarningsFollow() {
        SmtpConfiguration plain = SmtpConfiguration.of("smtp.example.com", 25, null, "pa55word", "noreply@example.com",
                false);
        repository.stores(plain);

        core.reload().reload();

        assertEquals("INFO Applied the SMTP configuration from fake: server smtp.example.com:25, sending as "
                + "noreply@example.com", log.lines().getFirst());
        assertEquals(plain.warnings().stream().map(warning -> "WARNING " + warning).toList(), log.lines().subList(1, log.lines().size()));
        assertFalse(plain.warnings().isEmpty(), "the configuration was meant to carry a warning");
    }

    @Test
    void aBackendThatCannotBeReachedShowsAsUnreachableAndTheFailureIsLogged() {
        repository.fails(new BackendUnavailable("fake store did not answer", null));

        assertThrows(BackendUnavailable.class, core.reload()::reload);

        assertEquals(Optional.of(new BackendContact("fake", false, NOW)), health.health().backend());
        assertEquals(Optional.of(new SmtpStatus.ReloadError(NOW, "fake store did not answer")),
                status.status().lastReloadError());
        assertEquals(List.of("WARNING Reloading the SMTP configuration failed; the active one stays: fake store did not "
                + "answer"), log.lines());
    }

    @Test
    void anInvalidValueWasReadFromAReachableBackend() {
        repository.fails(new InvalidInput("port", "must be between 1 and 65535"));

        assertThrows(InvalidInput.class, core.reload()::reload);

        assertEquals(Optional.of(new BackendContact("fake", true, NOW)), health.health().backend());
    }

    @Test
    void nothingStoredBehindAnActiveConfigurationIsAWarningAndALogLine() {
        repository.stores(configuration("smtp.example.com"));
        core.reload().reload();
        log.clear();
        repository.answers(Optional::empty);

        core.reload().reload();

        assertEquals(List.of("Nothing is stored in fake store; the configuration applied at " + NOW + " stays active"),
                status.status().warnings());
        assertEquals(List.of("INFO Nothing is stored in fake store; the active configuration stays"), log.lines());
    }

    @Test
    void nothingStoredAndNothingActiveIsNoWarning() {
        core.reload().reload();

        assertEquals(List.of(), status.status().warnings());
        assertEquals(List.of("INFO Nothing is stored in fake store"), log.lines());
    }

    @Test
    void aVerificationOfAConfigurationShowsOnceItIsApplied() {
        SmtpConfiguration next = configuration("next.example.com");
        core.board.verified(next, true, Optional.empty());
        assertEquals(Optional.empty(), status.status().lastVerified(), "shown before it was active");

        core.board.applied(new StoredSmtpConfiguration(next, 3, OpaqueFields.NONE), "fake", SmtpCredentials.password(next));

        assertEquals(Optional.of(new SmtpStatus.Verified(NOW, true, Optional.empty())), status.status().lastVerified());
    }

    /**
     * A status read while a reload switches (the logins have the next configuration's credentials,
     * the board not yet the configuration) shows the active configuration with its own tokens.
     */
    @Test
    void theActiveConfigurationIsShownWithItsOwnTokensWhileAReloadSwitches() {
        OAuth2Login login = new OAuth2Login.RefreshToken(URI.create("https://idp.example.com/token"), "app",
                Optional.empty(), Password.of("refresh-1"), Optional.empty());
        repository.stores(configuration("smtp.example.com").withOAuth2(Optional.of(login)), 7);
        core.reload().reload();

        core.logins.applied(core.logins.forApplied(configuration("next.example.com")));

        SmtpStatus shown = status.status();
        assertEquals(Optional.of("smtp.example.com"), shown.active().map(active -> active.configuration().host()));
        assertEquals(Optional.of("refreshToken"), shown.oauth2Token().map(SmtpStatus.OAuth2Token::kind),
                "shown without the tokens it logs in with");
    }

    @Test
    void aSecondReadOfTheActiveConfigurationConfirmsItsRevisionAndKeepsItsTransport() {
        repository.stores(configuration("smtp.example.com"), 7);
        core.reload().reload();
        repository.stores(configuration("smtp.example.com"), 9);

        core.reload().reload();

        assertEquals(9, status.status().active().orElseThrow().revision());
        assertEquals(1, log.lines().stream().filter(line -> line.contains("Applied")).count(), log.lines().toString());
    }
}
