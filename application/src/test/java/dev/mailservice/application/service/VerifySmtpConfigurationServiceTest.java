package dev.mailservice.application.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailservice.application.failure.BackendUnavailable;
import dev.mailservice.application.failure.InvalidInput;
import dev.mailservice.application.failure.Overloaded;
import dev.mailservice.application.failure.WriteConflict;
import dev.mailservice.application.port.in.SmtpConfigurationChange.Field;
import dev.mailservice.application.port.in.SmtpConfigurationChange;
import dev.mailservice.application.port.in.SmtpStatus;
import dev.mailservice.application.port.in.VerifySmtpConfiguration.SmtpVerification;
import dev.mailservice.application.port.out.ServiceMetrics;
import dev.mailservice.application.port.out.SmtpProbe.Capabilities;
import dev.mailservice.application.port.out.SmtpProbe.Problem;
import dev.mailservice.application.port.out.SmtpProbe;
import dev.mailservice.domain.EmailAddress;
import dev.mailservice.domain.MailMessage;
import dev.mailservice.domain.OpaqueFields;
import dev.mailservice.domain.SmtpConfiguration;
import dev.mailservice.domain.SmtpStep;
import dev.mailservice.domain.StoredSmtpConfiguration;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import dev.mailservice.application.port.out.SmtpProbe;
import dev.mailservice.application.port.out.TokenEndpoint;
import dev.mailservice.domain.OAuth2Login;
import dev.mailservice.domain.Password;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The verify use case, and verification on save and on apply, over a probe whose answers the test sets. */
class VerifySmtpConfigurationServiceTest {

    private static final Instant NOW = Instant.parse("2026-05-04T10:00:00Z");
    private static final Optional<Capabilities> STARTTLS_THEN_AUTH =
            Optional.of(new Capabilities(true, List.of(), OptionalLong.empty()));

    private final Fakes.Metrics metrics = new Fakes.Metrics();
    private final Fakes.Repository repository = new Fakes.Repository();
    private final Fakes.TransportFactory factory = new Fakes.TransportFactory();
    private final Fakes.Probe probe = new Fakes.Probe();
    private final Core core = new Core(repository, factory, metrics, Clock.fixed(NOW, ZoneOffset.UTC));
    private final SmtpVerifier verifier = core.verifier(probe, Duration.ofSeconds(20));
    private final VerifySmtpConfigurationService verify =
            new VerifySmtpConfigurationService(repository, verifier, new Fakes.Renderer(), metrics);
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stopThreads() {
        probe.release.countDown();
        threads.shutdownNow();
    }

    private static SmtpConfigurationChange given(SmtpConfiguration configuration) {
        return new SmtpConfigurationChange(Field.of(Optional.of(configuration.host())), configuration.port(),
                configuration.secure(), Field.of(configuration.username()),
                Field.of(configuration.password().map(password -> password.reveal())),
                Field.of(Optional.of(configuration.fromEmail().value())), OpaqueFields.NONE);
    }

    @Test
    void aPassingServerGivesAnOkReportWithEveryStepAndSendsTheTestMailOnlyWhenAsked() {
        SmtpConfiguration candidate = Fakes.configuration("smtp.example.com");

        SmtpVerification report = verify.verify(given(candidate), Optional.empty());
        verify.verify(given(candidate), Optional.of(new EmailAddress("ops@example.com")));

        assertTrue(report.ok());
        assertEquals(List.of(SmtpStep.DNS, SmtpStep.CONNECT, SmtpStep.GREETING, SmtpStep.EHLO, SmtpStep.TLS, SmtpStep.AUTH),
                report.steps().stream().map(SmtpStep.Result::step).toList());
        assertEquals(List.of(), report.advice());
        assertEquals(List.of(candidate, candidate), probe.probed);
        assertEquals(Optional.empty(), probe.testMails.get(0));
        MailMessage mail = probe.testMails.get(1).orElseThrow();
        assertEquals(List.of(new EmailAddress("ops@example.com")), mail.to());
        assertEquals("via smtp.example.com:587", mail.textBody());
        assertEquals("Test mail", mail.subject());
        assertEquals(List.of(), repository.saved, "a verification stores nothing");
        assertEquals(List.of(), factory.built, "a verification applies nothing");
        assertEquals(List.of("verification request passed", "verification request passed"), metrics.events);
    }

    @Test
    void aFailedStepIsNamedCountedAndAdvised() {
        probe.answer = Fakes.Probe.failing(SmtpStep.AUTH, Problem.AUTH_REJECTED, STARTTLS_THEN_AUTH);

        SmtpVerification report = verify.verify(given(Fakes.configuration("smtp.example.com")), Optional.empty());

        assertFalse(report.ok());
        assertEquals(SmtpStep.AUTH, report.failed().orElseThrow().step());
        assertEquals("SMTP verification failed at step auth: what the server did", report.failure());
        assertEquals(1, report.advice().size());
        assertTrue(report.advice().get(0).startsWith("The server refused the username or password"), report.advice().toString());
        assertEquals(List.of("verification request failed at auth"), metrics.events);
    }

    @Test
    void everyProblemHasAdviceOfItsOwnInSentencesWithoutThePassword() {
        SmtpConfiguration configuration = Fakes.configuration("smtp.example.com");
        String password = configuration.password().orElseThrow().reveal();
        Set<String> seen = new HashSet<>();
        for (Problem problem : Problem.values()) {
            probe.answer = Fakes.Probe.failing(SmtpStep.GREETING, problem, Optional.empty());

            List<String> advice = verify.verify(given(configuration), Optional.empty()).advice();

            assertEquals(1, advice.size(), problem + ": " + advice);
            String sentence = advice.get(0);
            assertTrue(seen.add(sentence), problem + " is given another problem's advice: " + sentence);
            assertTrue(Character.isUpperCase(sentence.charAt(0)) && sentence.endsWith("."), problem + ": " + sentence);
            assertFalse(sentence.contains(password), problem + " shows the password: " + sentence);
        }
    }

    @Test
    void thePortAndTlsMismatchIsAdvisedBothWays() {
        probe.answer = Fakes.Probe.failing(SmtpStep.GREETING, Problem.TIMED_OUT, Optional.empty());
        assertTrue(adviceFor(SmtpConfiguration.of("smtp.example.com", 2465, "u", "p", "a@example.com", false)).get(0)
                .contains("set secure to true"));

        probe.answer = Fakes.Probe.failing(SmtpStep.TLS, Problem.PLAIN_TEXT_WHERE_TLS_EXPECTED, Optional.empty());
        assertTrue(adviceFor(SmtpConfiguration.of("smtp.example.com", 2587, "u", "p", "a@example.com", true)).get(0)
                .contains("set secure to false"));
        assertTrue(adviceFor(SmtpConfiguration.of("smtp.example.com", 465, "u", "p", "a@example.com", false)).get(0)
                .contains("STARTTLS port (usually 587)"));
    }

    @Test
    void anUntrustedCertificateNamesTlsCaFileAndAuthOnlyAfterStartTlsIsSaid() {
        probe.answer = Fakes.Probe.failing(SmtpStep.TLS, Problem.CERTIFICATE_UNTRUSTED, STARTTLS_THEN_AUTH);

        List<String> advice = adviceFor(Fakes.configuration("smtp.example.com"));

        assertTrue(advice.get(0).contains("TLS_CA_FILE"), advice.toString());
        assertTrue(advice.get(1).startsWith("The server offers login (AUTH) only after STARTTLS"), advice.toString());
    }

    @Test
    void aPassingServerWithoutStartTlsIsWarnedAboutPlainText() {
        probe.answer = new SmtpProbe.Probe(Fakes.Probe.passing().steps(), Optional.empty(),
                Optional.of(new Capabilities(false, List.of("PLAIN"), OptionalLong.empty())), List.of("PLAIN"));

        List<String> advice = adviceFor(Fakes.configuration("smtp.example.com"));

        assertEquals(1, advice.size());
        assertTrue(advice.get(0).contains("SMTP_REQUIRE_TLS=true"), advice.toString());
    }

    private List<String> adviceFor(SmtpConfiguration configuration) {
        return verify.verify(given(configuration), Optional.empty()).advice();
    }

    @Test
    void theStoredPasswordIsKeptAsASaveKeepsIt() {
        SmtpConfiguration stored = Fakes.configuration("smtp.example.com");
        repository.stores(stored);
        SmtpConfigurationChange change = given(stored);
        SmtpConfigurationChange keeping = new SmtpConfigurationChange(change.host(), 587, false, change.username(),
                Field.KEEP, Field.of(Optional.of("changed@example.com")), OpaqueFields.NONE);
        SmtpConfigurationChange elsewhere = new SmtpConfigurationChange(Field.of(Optional.of("evil.example.com")), 587,
                false, change.username(), Field.KEEP, change.fromEmail(), OpaqueFields.NONE);
        SmtpConfigurationChange anotherPort = new SmtpConfigurationChange(change.host(), 2525, false, change.username(),
                Field.KEEP, change.fromEmail(), OpaqueFields.NONE);

        verify.verify(keeping, Optional.empty());
        InvalidInput refusal = assertThrows(InvalidInput.class, () -> verify.verify(elsewhere, Optional.empty()));
        assertThrows(InvalidInput.class, () -> verify.verify(anotherPort, Optional.empty()));

        assertEquals(stored.password(), probe.probed.get(0).password());
        assertEquals("changed@example.com", probe.probed.get(0).fromEmail().value());
        assertEquals(Optional.of("password"), refusal.field());
        assertEquals(1, probe.probed.size(), "the password is sent to another host or port");
    }

    @Test
    void beyondTheLimitAtOnceAVerificationIsRefusedAsOverloaded() throws Exception {
        probe.release = new CountDownLatch(1);
        probe.started = new CountDownLatch(VerifySmtpConfigurationService.MAX_AT_ONCE);
        List<Future<SmtpVerification>> running = new ArrayList<>();
        for (int i = 0; i < VerifySmtpConfigurationService.MAX_AT_ONCE; i++) {
            running.add(threads.submit(() -> verify.verify(given(Fakes.configuration("smtp.example.com")),
                    Optional.empty())));
        }
        Fakes.await(probe.started);

        Overloaded refusal = assertThrows(Overloaded.class,
                () -> verify.verify(given(Fakes.configuration("smtp.example.com")), Optional.empty()));
        probe.release.countDown();
        for (Future<SmtpVerification> verification : running) {
            assertTrue(verification.get().ok());
        }

        assertEquals(VerifySmtpConfigurationService.RETRY_AFTER, refusal.retryAfter());
        assertTrue(metrics.events.contains("verification refused"));
        assertTrue(verify.verify(given(Fakes.configuration("smtp.example.com")), Optional.empty()).ok(),
                "the permits came back");
    }

    @Test
    void beyondTheLimitAtOnceAVerificationIsRefusedBeforeItReadsTheBackend() {
        probe.release = new CountDownLatch(1);
        probe.started = new CountDownLatch(VerifySmtpConfigurationService.MAX_AT_ONCE);
        for (int i = 0; i < VerifySmtpConfigurationService.MAX_AT_ONCE; i++) {
            threads.submit(() -> verify.verify(given(Fakes.configuration("smtp.example.com")), Optional.empty()));
        }
        Fakes.await(probe.started);
        repository.stores(Fakes.configuration("smtp.example.com"));
        SmtpConfigurationChange change = given(Fakes.configuration("smtp.example.com"));
        SmtpConfigurationChange keeping = new SmtpConfigurationChange(change.host(), 587, false, change.username(),
                Field.KEEP, change.fromEmail(), OpaqueFields.NONE);
        int reads = repository.reads.get();

        assertThrows(Overloaded.class, () -> verify.verify(keeping, Optional.empty()));

        assertEquals(reads, repository.reads.get(), "a refused verification read the backend");
    }

    @Test
    void aSaveVerifiesBeforeTakingTheLockSoAReloadGoesOnMeanwhile() throws Exception {
        SaveSmtpConfigurationService save = core.save(Optional.of(verifier));
        ReloadSmtpConfigurationService reload = core.reload();
        SmtpConfiguration good = Fakes.configuration("good.example.com");
        SmtpConfiguration next = Fakes.configuration("next.example.com");
        repository.stores(good);
        probe.started = new CountDownLatch(1);
        probe.release = new CountDownLatch(1);
        Future<SmtpConfiguration> saving = threads.submit(() -> save.save(given(next)));
        Fakes.await(probe.started);

        // A guard against a hang, far above what a reload takes.
        Optional<SmtpConfiguration> reloaded = assertTimeoutPreemptively(Duration.ofSeconds(15), reload::reload,
                "the reload waited for the save's verification");
        probe.release.countDown();

        assertEquals(Optional.of(good), reloaded);
        assertEquals(next, saving.get());
        assertEquals(next, core.board.status().active().orElseThrow().configuration());
    }

    @Test
    void aKeptValueReplacedWhileTheSaveWasVerifiedMakesTheSaveAConflictStoringNothing() {
        repository.versioned = false;
        SmtpConfiguration stored = Fakes.configuration("smtp.example.com");
        repository.stores(stored);
        SmtpConfiguration replaced = SmtpConfiguration.of("smtp.example.com", 587, "user", "new-pa55word",
                "noreply@example.com", false);
        probe.whileProbing = configuration -> repository.stores(replaced);
        SaveSmtpConfigurationService save = core.save(Optional.of(verifier));
        SmtpConfigurationChange change = given(stored);
        SmtpConfigurationChange keeping = new SmtpConfigurationChange(change.host(), 587, false, change.username(),
                Field.KEEP, Field.of(Optional.of("changed@example.com")), OpaqueFields.NONE);

        assertThrows(WriteConflict.class, () -> save.save(keeping));

        assertEquals(List.of(), repository.saved, "a save verified with the replaced password was stored");
        assertEquals(Optional.empty(), core.board.status().active());
    }

    @Test
    void aReloadVerifiesBeforeTakingTheLockSoASaveGoesOnMeanwhile() throws Exception {
        ReloadSmtpConfigurationService reload = core.reload(Optional.of(verifier));
        SaveSmtpConfigurationService save = core.save(Optional.empty());
        SmtpConfiguration other = Fakes.configuration("other.example.com");
        repository.stores(Fakes.configuration("next.example.com"));
        probe.started = new CountDownLatch(1);
        probe.release = new CountDownLatch(1);
        Future<Optional<SmtpConfiguration>> reloading = threads.submit(reload::reload);
        Fakes.await(probe.started);

        // A guard against a hang, far above what a save takes.
        SmtpConfiguration saved = assertTimeoutPreemptively(Duration.ofSeconds(15), () -> save.save(given(other)),
                "the save waited for the reload's verification");
        probe.release.countDown();

        assertEquals(other, saved);
        assertEquals(Optional.of(other), reloading.get(), "the reload applies what is stored when it takes the lock");
        assertEquals(other, core.board.status().active().orElseThrow().configuration());
    }

    @Test
    void aConfigurationStoredWhileAnotherWasVerifiedForAReloadIsVerifiedInTurnBeforeItIsApplied() {
        ReloadSmtpConfigurationService reload = reloadVerifyingOnApply();
        SmtpConfiguration first = Fakes.configuration("first.example.com");
        SmtpConfiguration second = Fakes.configuration("second.example.com");
        repository.stores(first);
        probe.whileProbing = configuration -> {
            if (configuration.equals(first)) {
                repository.stores(second);
            }
        };

        assertEquals(Optional.of(second), reload.reload());

        assertEquals(List.of(Fakes.configuration("good.example.com"), first, second), probe.probed);
        assertEquals(second, core.board.status().active().orElseThrow().configuration());
    }

    @Test
    void aConfigurationReplacedEachTimeItIsVerifiedIsNotAppliedAndTheReloadFails() {
        ReloadSmtpConfigurationService reload = reloadVerifyingOnApply();
        SmtpConfiguration good = Fakes.configuration("good.example.com");
        List<String> hosts = new ArrayList<>(List.of("a.example.com", "b.example.com", "c.example.com", "d.example.com"));
        repository.stores(Fakes.configuration("start.example.com"));
        probe.whileProbing = configuration -> repository.stores(Fakes.configuration(hosts.remove(0)));

        assertThrows(WriteConflict.class, reload::reload);

        assertEquals(good, core.board.status().active().orElseThrow().configuration());
        assertTrue(core.board.status().lastReloadError().orElseThrow().message().contains("changed each time"),
                core.board.status().lastReloadError().toString());
        assertEquals("reload fake changed_while_verified", metrics.events.getLast(), "counted as its turn ended");
    }

    @Test
    void withVerificationOnSaveAFailingConfigurationIsRefusedAndNothingIsStored() {
        SaveSmtpConfigurationService save = core.save(Optional.of(verifier));
        SmtpConfiguration good = Fakes.configuration("good.example.com");
        save.save(given(good));
        probe.answer = Fakes.Probe.failing(SmtpStep.AUTH, Problem.AUTH_REJECTED, STARTTLS_THEN_AUTH);

        InvalidInput refusal = assertThrows(InvalidInput.class,
                () -> save.save(given(Fakes.configuration("bad.example.com"))));

        assertEquals("SMTP verification failed at step auth: what the server did", refusal.getMessage());
        assertEquals(List.of(good), repository.saved);
        assertEquals(good, core.board.status().active().orElseThrow().configuration());
        assertEquals(Optional.empty(), probe.testMails.get(1), "a save sends no test mail");
        assertTrue(metrics.events.contains("verification save failed at auth"));
    }

    /** A reload use case verifying on apply, which has made good.example.com active. */
    private ReloadSmtpConfigurationService reloadVerifyingOnApply() {
        ReloadSmtpConfigurationService reload = core.reload(Optional.of(verifier));
        repository.stores(Fakes.configuration("good.example.com"));
        reload.reload();
        return reload;
    }

    @Test
    void withVerificationOnApplyABackendFoundUnavailableAheadOfTheLockIsNotReadAgain() {
        ReloadSmtpConfigurationService reload = reloadVerifyingOnApply();
        int readsBefore = repository.reads.get();
        repository.fails(new BackendUnavailable("etcd did not answer within 1000 ms", null));

        assertThrows(BackendUnavailable.class, reload::reload);

        assertEquals(readsBefore + 1, repository.reads.get(), "a second read would pay the backend's timeout again");
        assertTrue(core.board.status().lastReloadError().orElseThrow().message().contains("did not answer"));
        assertEquals("reload fake backend_unavailable", metrics.events.getLast());
        assertFalse(core.board.lastBackendContact().orElseThrow().reachable());
        assertEquals(Fakes.configuration("good.example.com"), core.board.status().active().orElseThrow().configuration());
    }

    @Test
    void aReadAheadOfVerificationThatFailsLateDoesNotUndoAReloadThatEndedMeanwhile() throws Exception {
        ReloadSmtpConfigurationService reload = reloadVerifyingOnApply();
        repository.fails(new BackendUnavailable("etcd did not answer within 1000 ms", null));
        CountDownLatch readStarted = new CountDownLatch(1);
        CountDownLatch readMayFail = new CountDownLatch(1);
        repository.holdsReads(readStarted, readMayFail);
        Future<?> stalled = threads.submit(reload::reload);
        Fakes.await(readStarted);
        repository.stores(Fakes.configuration("good.example.com"));
        reload.reload(); // the backend answers again, and this reload ends first

        readMayFail.countDown();

        ExecutionException failed = assertThrows(ExecutionException.class, () -> stalled.get(10, TimeUnit.SECONDS));
        assertEquals(BackendUnavailable.class, failed.getCause().getClass());
        assertEquals(Optional.empty(), core.board.status().lastReloadError(), "the late failure undid the reload after it");
        assertTrue(core.board.lastBackendContact().orElseThrow().reachable());
    }

    /**
     * A save that takes its turn just as the read ahead of a reload's verification fails: the failure is
     * recorded before the save applies, or not at all, never over what the save applied.
     */
    @Test
    void aReadAheadOfVerificationThatFailsAsASaveTakesItsTurnIsNotRecordedOverTheSave() throws Exception {
        ReloadSmtpConfigurationService reload = reloadVerifyingOnApply();
        Thread reloading = Thread.currentThread();
        Optional<StoredSmtpConfiguration> stored = repository.load();
        repository.answers(() -> {
            if (Thread.currentThread() == reloading) {
                throw new BackendUnavailable("etcd did not answer within 1000 ms", null);
            }
            return stored;
        });
        SaveSmtpConfigurationService save = core.save(Optional.empty());
        List<Future<?>> saves = new ArrayList<>();
        // The save comes as the failure is recorded: it may wait for that record, never come in the middle of it.
        metrics.onReloadCounted = outcome -> {
            if (outcome == ServiceMetrics.ReloadOutcome.BACKEND_UNAVAILABLE) {
                saves.add(threads.submit(() -> save.save(given(Fakes.configuration("saved.example.com")))));
                try {
                    saves.getFirst().get(300, TimeUnit.MILLISECONDS);
                } catch (TimeoutException waitingForTheRecord) {
                    // As it should while the failure is being recorded.
                } catch (InterruptedException | ExecutionException e) {
                    throw new AssertionError(e);
                }
            }
        };

        assertThrows(BackendUnavailable.class, reload::reload);
        saves.getFirst().get(10, TimeUnit.SECONDS);

        assertEquals(Fakes.configuration("saved.example.com"), core.board.status().active().orElseThrow().configuration());
        assertEquals(Optional.empty(), core.board.status().lastReloadError(), "the failure was recorded over the save");
    }

    @Test
    void withVerificationOnApplyAFailingReloadKeepsTheActiveSenderAndRecordsTheFailedStep() {
        ReloadSmtpConfigurationService reload = reloadVerifyingOnApply();
        SmtpConfiguration good = Fakes.configuration("good.example.com");
        probe.answer = Fakes.Probe.failing(SmtpStep.AUTH, Problem.AUTH_REJECTED, STARTTLS_THEN_AUTH);
        repository.stores(Fakes.configuration("bad.example.com"));

        assertThrows(InvalidInput.class, reload::reload);

        SmtpStatus status = core.board.status();
        assertEquals(good, status.active().orElseThrow().configuration());
        assertEquals("SMTP verification failed at step auth: what the server did",
                status.lastReloadError().orElseThrow().message());
        assertEquals(1, factory.built.size(), "no transport was built for the failing configuration");
        assertTrue(metrics.events.contains("reload fake verification_failed"), metrics.events.toString());
    }

    @Test
    void theStatusShowsTheLastVerificationOfTheActiveConfigurationOnly() {
        reloadVerifyingOnApply();
        SmtpConfiguration good = Fakes.configuration("good.example.com");

        assertEquals(Optional.of(new SmtpStatus.Verified(NOW, true, Optional.empty())), core.board.status().lastVerified());

        probe.answer = Fakes.Probe.failing(SmtpStep.DNS, Problem.UNKNOWN_HOST, Optional.empty());
        verify.verify(given(Fakes.configuration("other.example.com")), Optional.empty());
        assertEquals(Optional.of(new SmtpStatus.Verified(NOW, true, Optional.empty())), core.board.status().lastVerified(),
                "another configuration's verification is not the active one's, and does not hide it");
        verify.verify(given(good), Optional.empty());
        assertEquals(Optional.of(new SmtpStatus.Verified(NOW, false, Optional.of("dns"))), core.board.status().lastVerified());
    }

    private static final OAuth2Login MICROSOFT = new OAuth2Login.Microsoft("contoso.onmicrosoft.com", "app",
            Password.of("client-s3cret"));

    private static SmtpConfigurationChange givenOAuth2(SmtpConfiguration configuration, OAuth2Login login) {
        Map<String, Field> oauth2 = new LinkedHashMap<>();
        login.fields().forEach((name, value) -> oauth2.put(name, Field.of(Optional.of(value))));
        login.secrets().forEach((name, value) -> oauth2.put(name, Field.of(Optional.of(value.reveal()))));
        SmtpConfigurationChange change = given(configuration);
        return new SmtpConfigurationChange(change.host(), change.port(), change.secure(), change.username(),
                Field.of(Optional.empty()), change.fromEmail(), OpaqueFields.NONE, Optional.of(oauth2));
    }

    @Test
    void anOAuth2LoginIsVerifiedWithATokenAskedForFirst() {
        SmtpVerification report = verify.verify(givenOAuth2(Fakes.configuration("smtp.office365.com"), MICROSOFT),
                Optional.empty());

        assertTrue(report.ok(), report.toString());
        assertEquals(List.of(SmtpStep.TOKEN, SmtpStep.DNS, SmtpStep.CONNECT, SmtpStep.GREETING, SmtpStep.EHLO,
                SmtpStep.TLS, SmtpStep.AUTH), report.steps().stream().map(SmtpStep.Result::step).toList());
        assertEquals("endpoint https://idp.example.com/token, grant client_credentials, scope "
                + "https://outlook.office365.com/.default: a token valid for 3600 s", report.steps().get(0).detail());
        assertTrue(probe.credentials.get(0).accessToken());
        assertEquals("token-1", probe.credentials.get(0).secret(Fakes.ANY_WAIT).reveal());
        assertEquals(List.of("token microsoft issued", "verification request passed"), metrics.events);
    }

    @Test
    void aRefusedTokenFailsTheTokenStepWithTheEndpointsAnswerAndAdvice_andNothingIsProbed() {
        core.tokens.answer = new TokenEndpoint.Refused("invalid_client",
                Optional.of("AADSTS7000215: Invalid client secret provided."));

        SmtpVerification report = verify.verify(givenOAuth2(Fakes.configuration("smtp.office365.com"), MICROSOFT),
                Optional.empty());

        assertFalse(report.ok());
        assertEquals("SMTP verification failed at step token: endpoint https://idp.example.com/token, grant "
                + "client_credentials, scope https://outlook.office365.com/.default: refused: invalid_client "
                + "(AADSTS7000215: Invalid client secret provided.)", report.failure());
        assertEquals(1, report.advice().size());
        assertTrue(report.advice().get(0).contains("client secret"), report.advice().toString());
        assertEquals(List.of(), probe.probed);
        assertEquals(List.of("token microsoft refused", "verification request failed at token"), metrics.events);
    }

    @Test
    void eachTokenRefusalHasItsOwnAdvice() {
        OAuth2Login google = new OAuth2Login.Google("svc@p.iam.gserviceaccount.com",
                Password.of("-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n"),
                OAuth2Login.Google.DEFAULT_TOKEN_URI);
        OAuth2Login refreshToken = new OAuth2Login.RefreshToken(URI.create("https://idp.example.com/token"), "app",
                Optional.empty(), Password.of("r"), Optional.empty());

        assertTrue(SmtpAdvice.forToken(MICROSOFT, new TokenEndpoint.Refused("unauthorized_client",
                Optional.of("AADSTS700016: Application with identifier 'app' was not found"))).contains("clientId"));
        assertTrue(SmtpAdvice.forToken(google, new TokenEndpoint.Refused("unauthorized_client", Optional.empty()))
                .contains("Domain-wide delegation"));
        assertTrue(SmtpAdvice.forToken(refreshToken, new TokenEndpoint.Refused("invalid_grant", Optional.empty()))
                .contains("obtain a new one"));
        assertTrue(SmtpAdvice.forToken(refreshToken, new TokenEndpoint.Unavailable("answered HTTP 503"))
                .contains("TLS_CA_FILE"));
    }

    @Test
    void aTokenTheServerRefusesGetsTheProvidersSetUpAsAdvice() {
        probe.answer = Fakes.Probe.failing(SmtpStep.AUTH, Problem.AUTH_REJECTED, STARTTLS_THEN_AUTH);

        SmtpVerification report = verify.verify(givenOAuth2(Fakes.configuration("smtp.office365.com"), MICROSOFT),
                Optional.empty());

        assertTrue(report.advice().get(0).contains("SMTP.SendAsApp"), report.advice().toString());
        assertTrue(report.advice().get(0).contains("Set-CASMailbox"), report.advice().toString());
    }

    @Test
    void aPasswordLoginExchangeOnlineNoLongerTakesIsAdvisedToMoveToOAuth2() {
        SmtpProbe.Probe failing = Fakes.Probe.failing(SmtpStep.AUTH, Problem.AUTH_REJECTED, STARTTLS_THEN_AUTH);
        List<SmtpStep.Result> steps = new java.util.ArrayList<>(failing.steps());
        steps.set(steps.size() - 1, new SmtpStep.Result(SmtpStep.AUTH, false, Duration.ofMillis(5),
                "535 5.7.139 Authentication unsuccessful, basic authentication is disabled."));
        probe.answer = new SmtpProbe.Probe(steps, failing.problem(), failing.firstEhlo(), failing.supportedMechanisms());

        SmtpVerification report = verify.verify(given(Fakes.configuration("smtp.office365.com")), Optional.empty());

        assertTrue(report.advice().stream().anyMatch(advice -> advice.contains("log in with OAuth 2.0 instead")),
                report.advice().toString());
        probe.answer = Fakes.Probe.failing(SmtpStep.AUTH, Problem.AUTH_REJECTED, STARTTLS_THEN_AUTH);
        assertTrue(verify.verify(given(Fakes.configuration("smtp.office365.com")), Optional.empty()).advice().stream()
                .noneMatch(advice -> advice.contains("OAuth 2.0")), "other refusals are not told to move");
    }
}
