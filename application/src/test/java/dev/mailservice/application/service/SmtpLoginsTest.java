package dev.mailservice.application.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailservice.application.failure.BackendUnavailable;
import dev.mailservice.application.failure.InvalidInput;
import dev.mailservice.application.port.in.SmtpConfigurationChange;
import dev.mailservice.application.port.in.SmtpConfigurationChange.Field;
import dev.mailservice.application.port.in.SmtpStatus;
import dev.mailservice.application.port.out.SmtpCredentials;
import dev.mailservice.application.port.out.SmtpProbe;
import dev.mailservice.application.port.out.TokenEndpoint;
import dev.mailservice.domain.OAuth2Login;
import dev.mailservice.domain.OpaqueFields;
import dev.mailservice.domain.Password;
import dev.mailservice.domain.SmtpConfiguration;
import dev.mailservice.domain.SmtpStep;
import dev.mailservice.domain.StoredSmtpConfiguration;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Which credentials an applied configuration logs in with, and a new refresh token stored back. */
class SmtpLoginsTest {

    private static final OAuth2Login.RefreshToken LOGIN = new OAuth2Login.RefreshToken(
            URI.create("https://idp.example.com/token"), "app", Optional.empty(), Password.of("refresh-1"),
            Optional.empty());
    private static final SmtpConfiguration CONFIGURATION = SmtpConfiguration.of("smtp.example.com", 587,
            "mailbox@example.com", "unused-pw", "noreply@example.com", false).withOAuth2(Optional.of(LOGIN));

    private final Fakes.Metrics metrics = new Fakes.Metrics();
    private final Core core = new Core(new Fakes.Repository(), new Fakes.TransportFactory(), metrics);

    @Test
    void theActiveLoginsTokensOutliveReloadsThatKeepLoginAndMailbox() {
        SmtpConfiguration configuration = SmtpConfiguration.of("smtp.example.com", 587, "mailbox@example.com", null,
                "noreply@example.com", false).withOAuth2(Optional.of(LOGIN));

        SmtpCredentials first = core.logins.forApplied(configuration);
        core.logins.applied(first);
        SmtpCredentials sameLogin = core.logins.forApplied(SmtpConfiguration.of("smtp.example.com", 587,
                "mailbox@example.com", null, "other-sender@example.com", false).withOAuth2(Optional.of(LOGIN)));
        SmtpCredentials otherMailbox = core.logins.forApplied(SmtpConfiguration.of("smtp.example.com", 587,
                "other@example.com", null, "noreply@example.com", false).withOAuth2(Optional.of(LOGIN)));
        assertTrue(core.logins.activeTokens().isPresent(), "made, not applied: the active tokens stay");
        SmtpCredentials password = core.logins.forApplied(SmtpConfiguration.of("smtp.example.com", 587,
                "mailbox@example.com", "pw", "noreply@example.com", false));
        core.logins.applied(password);

        assertSame(first, sameLogin);
        assertNotSame(first, otherMailbox);
        assertFalse(password.accessToken());
        assertEquals("pw", password.secret(Fakes.ANY_WAIT).reveal());
        assertTrue(core.logins.activeTokens().isEmpty(), "a password login has no tokens to show");
        assertTrue(core.scheduler.pending().isEmpty(), "the tokens of logins no longer applied stop renewing");
    }

    @Test
    void tokensAppliedAfterTheLoginsClosedNeverStartAsking() {
        core.logins.close();

        SmtpCredentials late = core.logins.forApplied(CONFIGURATION);
        core.logins.applied(late);

        assertTrue(core.logins.activeTokens().isEmpty());
        assertEquals(List.of(), core.tokens.requested);
    }

    @Test
    void aNewRefreshTokenIsStoredOverTheRevisionThatHoldsTheLoginItReplaces() {
        core.repository.stores(CONFIGURATION, 7);
        core.tokens.rotateTo = Optional.of(Password.of("refresh-2"));

        core.logins.forApplied(CONFIGURATION).secret(Fakes.ANY_WAIT);
        core.scheduler.runPending();

        assertEquals(List.of(CONFIGURATION.withOAuth2(Optional.of(LOGIN.withRefreshToken(Password.of("refresh-2"))))),
                core.repository.saved);
        assertEquals(List.of(7L), core.repository.expectedRevisions);
    }

    /**
     * Stores {@link #CONFIGURATION} at revision 7 behind a backend that fails every call until the
     * flag answered is cleared, and has the endpoint give a new refresh token, whose first store-back
     * then runs and fails.
     */
    private AtomicBoolean aRefreshTokenRotatedWhileTheBackendIsDown() {
        AtomicBoolean down = new AtomicBoolean(true);
        StoredSmtpConfiguration stored = new StoredSmtpConfiguration(CONFIGURATION, 7, OpaqueFields.NONE);
        core.repository.answers(() -> {
            if (down.get()) {
                throw new BackendUnavailable("Cannot read /services/smtp: etcd did not answer within 5000 ms", null);
            }
            return Optional.of(stored);
        });
        core.tokens.rotateTo = Optional.of(Password.of("refresh-2"));
        core.logins.forApplied(CONFIGURATION).secret(Fakes.ANY_WAIT);
        core.scheduler.runPending();
        return down;
    }

    @Test
    void aNewRefreshTokenTheBackendCouldNotTakeIsStoredOnceItCan() {
        AtomicBoolean down = aRefreshTokenRotatedWhileTheBackendIsDown();

        assertEquals(List.of(), core.repository.saved);
        assertTrue(core.scheduler.pending().stream().anyMatch(task -> task.delay().equals(Duration.ofSeconds(1))),
                "tried again a second later: " + core.scheduler.pending());
        down.set(false);
        core.scheduler.runPending();
        assertEquals(CONFIGURATION.withOAuth2(Optional.of(LOGIN.withRefreshToken(Password.of("refresh-2")))),
                core.repository.saved.getFirst());
        assertEquals(7L, core.repository.expectedRevisions.getFirst());
    }

    @Test
    void aStoreBackWaitingToBeTriedAgainIsTriedOnceMoreAtTheStop() {
        AtomicBoolean down = aRefreshTokenRotatedWhileTheBackendIsDown();
        assertEquals(List.of(), core.repository.saved);
        down.set(false);

        core.logins.close();

        assertEquals(List.of(CONFIGURATION.withOAuth2(Optional.of(LOGIN.withRefreshToken(Password.of("refresh-2"))))),
                core.repository.saved);
    }

    @Test
    void aNewRefreshTokenIsNotStoredOverAConfigurationChangedMeanwhile() {
        SmtpConfiguration changed = CONFIGURATION.withOAuth2(Optional.of(LOGIN.withRefreshToken(Password.of("pasted"))));
        core.repository.stores(changed, 8);
        core.tokens.rotateTo = Optional.of(Password.of("refresh-2"));

        core.logins.forApplied(CONFIGURATION).secret(Fakes.ANY_WAIT);
        core.scheduler.runPending();

        assertEquals(List.of(), core.repository.saved);
    }

    @Test
    void theStatusShowsTheActiveTokens() {
        SmtpCredentials credentials = core.logins.forApplied(CONFIGURATION);
        core.logins.applied(credentials);
        credentials.secret(Fakes.ANY_WAIT);

        var state = core.logins.activeTokens().orElseThrow();
        assertEquals("refreshToken", state.kind());
        assertEquals("https://idp.example.com/token", state.endpoint());
        assertTrue(state.expiresAt().isPresent());
    }

    @Test
    void replicasThatEachStoreANewRefreshTokenDoNotSetEachOtherAsking() {
        Core other = new Core(core.repository, new Fakes.TransportFactory(), new Fakes.Metrics());
        core.repository.stores(CONFIGURATION, 7);
        SmtpCredentials mine = core.logins.forApplied(CONFIGURATION);
        core.logins.applied(mine);
        SmtpCredentials theirs = other.logins.forApplied(CONFIGURATION);
        other.logins.applied(theirs);
        theirs.secret(Fakes.ANY_WAIT);
        core.tokens.rotateTo = Optional.of(Password.of("refresh-2"));
        mine.secret(Fakes.ANY_WAIT);
        core.scheduler.runPending();

        SmtpConfiguration stored = core.repository.load().orElseThrow().configuration();
        assertSame(theirs, other.logins.forApplied(stored), "the other replica takes the stored refresh token over");
        assertSame(mine, core.logins.forApplied(stored));
        assertEquals(1, other.tokens.requested.size(), "and asks for no token because of it");
        assertEquals(1, core.repository.saved.size());
    }

    @Test
    void aRefreshTokenSpentVerifyingOnApplyIsReplacedStoredAndNotVerifiedAgain() {
        Fakes.Probe probe = new Fakes.Probe();
        ReloadSmtpConfigurationService reload = core.reload(Optional.of(core.verifier(probe, Duration.ofSeconds(20))));
        core.repository.stores(CONFIGURATION, 7);
        core.tokens.rotateTo = Optional.of(Password.of("refresh-2"));
        OAuth2Login rotated = LOGIN.withRefreshToken(Password.of("refresh-2"));

        reload.reload();
        core.scheduler.runPending();
        reload.reload();
        core.scheduler.runPending();

        assertEquals(List.of(CONFIGURATION.withOAuth2(Optional.of(rotated))), core.repository.saved,
                "the refresh token the verification was given is stored over the one it spent");
        assertEquals(List.of(LOGIN, rotated), core.tokens.requested,
                "the tokens ask with the new one; the stored-back value is applied without a verification");
        assertEquals(1, probe.probed.size());
    }

    /**
     * A change whose verification on apply fails after its token request was answered with a new
     * refresh token: that token is stored back, which is announced as a change, whose reload would
     * verify again, ask for another token, store it back, and so on. Told apart from a new refresh
     * token stored later, which is verified.
     */
    @Test
    void aChangeThatFailsVerificationOnApplyIsNotVerifiedAgainForTheRefreshTokenItsCheckStoredBack() {
        Fakes.SettableClock clock = new Fakes.SettableClock();
        Core replica = new Core(new Fakes.Repository(), new Fakes.TransportFactory(), new Fakes.Metrics(), clock);
        Fakes.Probe probe = new Fakes.Probe();
        ReloadSmtpConfigurationService reload = reloadsCheckedAfterApplying(replica, probe);
        replica.scheduler.tasks.clear(); // the active tokens' renewal: not what this is about
        replica.repository.stores(elsewhere("rt-0"), 8);
        probe.answer = Fakes.Probe.failing(SmtpStep.AUTH, SmtpProbe.Problem.AUTH_REJECTED, Optional.empty());
        // A provider that answers every token request with a new refresh token.
        AtomicInteger rotations = new AtomicInteger();
        replica.tokens.whileRequesting = () -> replica.tokens.rotateTo = Optional.of(Password.of("rt-" + rotations.incrementAndGet()));

        for (int announced = 0; announced < 5; announced++) {
            assertThrows(InvalidInput.class, reload::reloadAfterChange);
            replica.scheduler.runPending(); // the store-back, announced by the backend as a change
        }

        assertEquals(2, probe.probed.size(), "the first configuration, then the change once");
        assertEquals(1, replica.repository.saved.size(), "one refresh token stored back");
        assertEquals(CONFIGURATION, replica.board.status().active().orElseThrow().configuration());
        assertThrows(InvalidInput.class, reload::reload);
        assertEquals(3, probe.probed.size(), "a reload asked for verifies again");
        replica.scheduler.runPending();
        clock.advance(ReloadSmtpConfigurationService.STORE_BACK_ECHO);
        replica.repository.stores(elsewhere("pasted-later"), 20);
        assertThrows(InvalidInput.class, reload::reloadAfterChange);
        assertEquals(4, probe.probed.size(), "a refresh token stored a while after the failure is verified");
    }

    @Test
    void aChangeThatFailedAtItsTokenIsVerifiedAgainForANewRefreshToken() {
        Fakes.Probe probe = new Fakes.Probe();
        ReloadSmtpConfigurationService reload = reloadsCheckedAfterApplying(probe);
        core.repository.stores(elsewhere("revoked"), 8);
        core.tokens.answer = new TokenEndpoint.Refused("invalid_grant", Optional.of("The refresh token was revoked"));
        assertThrows(InvalidInput.class, reload::reloadAfterChange);
        core.tokens.answer = null;

        core.repository.stores(elsewhere("pasted"), 9);

        assertEquals(Optional.of(elsewhere("pasted")), reload.reloadAfterChange());
        assertEquals(2, probe.probed.size(), "the first configuration, and the one with the pasted token");
    }

    /** {@link #CONFIGURATION} on another host, with {@code refreshToken}. */
    private static SmtpConfiguration elsewhere(String refreshToken) {
        return SmtpConfiguration.of("smtp.other.example.com", 587, "mailbox@example.com", "unused-pw",
                "noreply@example.com", false).withOAuth2(Optional.of(LOGIN.withRefreshToken(Password.of(refreshToken))));
    }

    @Test
    void aConfigurationThatFailsToApplyLeavesTheActiveTokensRenewing() {
        SmtpCredentials active = core.logins.forApplied(CONFIGURATION);
        core.logins.applied(active);
        core.factory.failure = new InvalidInput("host", "cannot be used by this transport");
        core.repository.stores(SmtpConfiguration.of("smtp.example.com", 587, "other@example.com", null,
                "noreply@example.com", false).withOAuth2(Optional.of(LOGIN)), 9);

        assertThrows(InvalidInput.class, () -> core.reload().reload());

        assertEquals(Optional.of("refreshToken"), core.logins.activeTokens().map(SmtpStatus.OAuth2Token::kind));
        core.scheduler.runPending();
        assertEquals(1, core.tokens.requested.size(), "only the active tokens asked: the new ones never started");
    }

    /** {@link #CONFIGURATION} sending as {@code fromEmail}, with {@code login}. */
    private static SmtpConfiguration sendingAs(String fromEmail, OAuth2Login login) {
        return SmtpConfiguration.of("smtp.example.com", 587, "mailbox@example.com", "unused-pw", fromEmail, false)
                .withOAuth2(Optional.of(login));
    }

    /** {@code configuration} as an admin submits it: every field given, and the login's secrets kept or given. */
    private static SmtpConfigurationChange submitted(SmtpConfiguration configuration, boolean keepingTheSecrets) {
        OAuth2Login login = configuration.oauth2().orElseThrow();
        Map<String, Field> fields = new LinkedHashMap<>();
        login.fields().forEach((name, value) -> fields.put(name, Field.of(Optional.of(value))));
        login.secrets().forEach((name, secret) -> fields.put(name,
                keepingTheSecrets ? Field.KEEP : Field.of(Optional.of(secret.reveal()))));
        return new SmtpConfigurationChange(Field.of(Optional.of(configuration.host())), configuration.port(),
                configuration.secure(), Field.of(configuration.username()), Field.KEEP,
                Field.of(Optional.of(configuration.fromEmail().value())), OpaqueFields.NONE, Optional.of(fields));
    }

    /** Saves checked against {@code probe}, once {@code stored} is stored at revision 7 and applied. */
    private SaveSmtpConfigurationService savesCheckedAfterApplying(SmtpConfiguration stored, Fakes.Probe probe) {
        core.repository.stores(stored, 7);
        core.reload().reload();
        return core.save(Optional.of(core.verifier(probe, Duration.ofSeconds(20))));
    }

    /** Reloads checked against {@code probe}, once {@link #CONFIGURATION} is stored at revision 7 and applied. */
    private ReloadSmtpConfigurationService reloadsCheckedAfterApplying(Fakes.Probe probe) {
        return reloadsCheckedAfterApplying(core, probe);
    }

    /** As {@link #reloadsCheckedAfterApplying(Fakes.Probe)}, on {@code on}. */
    private static ReloadSmtpConfigurationService reloadsCheckedAfterApplying(Core on, Fakes.Probe probe) {
        ReloadSmtpConfigurationService reload = on.reload(Optional.of(on.verifier(probe, Duration.ofSeconds(20))));
        on.repository.stores(CONFIGURATION, 7);
        reload.reload();
        return reload;
    }

    /** The login the tokens of {@code active}, the active configuration, ask with from now on. */
    private OAuth2Login askedWithNext(SmtpConfiguration active) {
        return ((OAuth2Tokens) core.logins.forApplied(active)).login();
    }

    /**
     * A save checked before it is stored, whose check the endpoint gives a new refresh token: the
     * token is stored back while the check talks to the SMTP server, before the save's turn. The
     * save still stores, with the new token (the one it was checked with is spent), and the active
     * tokens ask with it.
     */
    @Test
    void aSaveWhoseCheckWasGivenANewRefreshTokenStoresItWithTheChange() {
        Fakes.Probe probe = new Fakes.Probe();
        SaveSmtpConfigurationService save = savesCheckedAfterApplying(CONFIGURATION, probe);
        core.tokens.rotateTo = Optional.of(Password.of("refresh-2"));
        probe.whileProbing = configuration -> core.scheduler.runPending();

        SmtpConfiguration saved = save.save(submitted(sendingAs("new@example.com", LOGIN), true), Optional.empty());

        SmtpConfiguration expected = sendingAs("new@example.com", LOGIN.withRefreshToken(Password.of("refresh-2")));
        assertEquals(expected, saved);
        assertEquals(expected, core.repository.load().orElseThrow().configuration());
        assertEquals(expected.oauth2().orElseThrow(), askedWithNext(saved));
    }

    /**
     * The same on a reload checked before it is applied: the value stored meanwhile differs from the
     * one checked by the new refresh token alone, and is applied, not checked again (which would
     * spend that token and store another, for ever, with a provider that rotates them every time).
     */
    @Test
    void aReloadWhoseCheckWasGivenANewRefreshTokenAppliesTheChangeWithIt() {
        Fakes.Probe probe = new Fakes.Probe();
        ReloadSmtpConfigurationService reload = reloadsCheckedAfterApplying(probe);
        core.repository.stores(sendingAs("new@example.com", LOGIN), 8);
        core.tokens.rotateTo = Optional.of(Password.of("refresh-2"));
        AtomicInteger rotations = new AtomicInteger(2);
        probe.whileProbing = configuration -> {
            core.scheduler.runPending();
            // A provider that rotates every time: the next check would be given yet another.
            core.tokens.rotateTo = Optional.of(Password.of("refresh-" + rotations.incrementAndGet()));
        };

        SmtpConfiguration applied = reload.reload().orElseThrow();

        SmtpConfiguration expected = sendingAs("new@example.com", LOGIN.withRefreshToken(Password.of("refresh-2")));
        assertEquals(expected, applied);
        assertEquals(2, probe.probed.size(), "checked once at the start, once for the change");
    }

    /**
     * A refresh token an admin pastes, checked before it is saved: the check spends it and is given
     * another, which cannot be stored then (the old token is still stored). The save stores the one
     * given in its place, never the spent one (another replica would ask with it), and the active
     * tokens ask with it.
     */
    @Test
    void aPastedRefreshTokenSpentByTheSavesCheckIsReplacedByTheOneGivenForIt() {
        SaveSmtpConfigurationService save = savesCheckedAfterApplying(CONFIGURATION, new Fakes.Probe());
        core.tokens.rotateTo = Optional.of(Password.of("pasted-2"));

        SmtpConfiguration saved = save.save(submitted(
                sendingAs("noreply@example.com", LOGIN.withRefreshToken(Password.of("pasted"))), false), Optional.empty());
        core.scheduler.runPending();

        OAuth2Login given = LOGIN.withRefreshToken(Password.of("pasted-2"));
        assertEquals(List.of(Optional.of(given)), core.repository.saved.stream().map(SmtpConfiguration::oauth2).toList(),
                "the save stored the refresh token given for the pasted one, and nothing else was stored");
        assertEquals(given, askedWithNext(saved));
    }

    /**
     * The login changed (a new client secret, the refresh token kept) while the active tokens' request
     * was under way, which the endpoint answers with a new refresh token: the new login's tokens ask
     * with that one, not the one the request spent, and it is stored with the new secret.
     */
    @Test
    void aLoginChangedWhileARequestIsUnderWayTakesTheRefreshTokenThatRequestWasGiven() {
        core.repository.stores(CONFIGURATION, 7);
        SmtpCredentials before = core.logins.forApplied(CONFIGURATION);
        core.logins.applied(before);
        SmtpConfiguration newSecret = CONFIGURATION.withOAuth2(Optional.of(new OAuth2Login.RefreshToken(
                LOGIN.tokenUrl(), LOGIN.clientId(), Optional.of(Password.of("secret-2")), LOGIN.refreshToken(),
                Optional.empty())));
        core.tokens.rotateTo = Optional.of(Password.of("refresh-2"));
        core.tokens.whileRequesting = () -> {
            core.tokens.whileRequesting = () -> {};
            core.repository.stores(newSecret, 8);
            core.reload().reload();
            // The new tokens' first request is due at once, while this one is under way.
            core.scheduler.runPending();
        };

        before.secret(Fakes.ANY_WAIT);
        core.scheduler.runPending();

        SmtpConfiguration expected = CONFIGURATION.withOAuth2(newSecret.oauth2().map(login ->
                ((OAuth2Login.RefreshToken) login).withRefreshToken(Password.of("refresh-2"))));
        assertEquals(expected, core.repository.load().orElseThrow().configuration());
        assertEquals(expected.oauth2().orElseThrow(), askedWithNext(expected));
        assertEquals(List.of(LOGIN, expected.oauth2().orElseThrow()), core.tokens.requested,
                "the new tokens asked once the request under way had ended, with the refresh token it was given");
    }
}
