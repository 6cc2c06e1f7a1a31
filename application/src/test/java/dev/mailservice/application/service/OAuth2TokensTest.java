package dev.mailservice.application.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailservice.application.failure.DeliveryFailed;
import dev.mailservice.application.port.out.TokenEndpoint;
import dev.mailservice.domain.OAuth2Login;
import dev.mailservice.domain.Password;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The access tokens of one login: asked for once, shared, renewed ahead of expiry, and what a failure does to sends. */
class OAuth2TokensTest {

    private static final OAuth2Login.RefreshToken LOGIN = new OAuth2Login.RefreshToken(
            URI.create("https://idp.example.com/token"), "app", Optional.of(Password.of("client-s3cret")),
            Password.of("refresh-1"), Optional.empty());

    private final Fakes.Tokens endpoint = new Fakes.Tokens();
    private final Fakes.SettableClock clock = new Fakes.SettableClock();
    private final Fakes.ManualScheduler scheduler = new Fakes.ManualScheduler();
    private final Fakes.Metrics metrics = new Fakes.Metrics();
    private final List<OAuth2Login> rotatedTo = new ArrayList<>();
    private final OAuth2Tokens tokens = new OAuth2Tokens(LOGIN, LOGIN, "mailbox@example.com", endpoint, clock,
            scheduler, metrics, new OAuth2Tokens.Successors() {
                @Override
                public void rotated(OAuth2Login replaced, OAuth2Login replacement) {
                    rotatedTo.add(replacement);
                }

                @Override
                public OAuth2Login latest(OAuth2Login login) {
                    return login;
                }
            });

    @Test
    void theFirstTokenIsAskedForWhenApplied_thenServedWithoutAskingAgain() {
        tokens.start();
        scheduler.runPending();

        assertEquals("token-1", tokens.secret(Fakes.ANY_WAIT).reveal());
        assertEquals("token-1", tokens.secret(Fakes.ANY_WAIT).reveal());
        assertEquals(1, endpoint.requested.size());
        assertTrue(tokens.accessToken());
        assertEquals(List.of("token refreshToken issued"), metrics.events);
    }

    @Test
    void aLoginWaitsForATokenNoLongerThanItsSendHasLeftAndTheRequestGoesOnForTheNextOne() throws Exception {
        CountDownLatch answer = new CountDownLatch(1);
        endpoint.whileRequesting = () -> {
            try {
                answer.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        long started = System.nanoTime();

        DeliveryFailed late = assertThrows(DeliveryFailed.class, () -> tokens.secret(Duration.ofMillis(200)));

        Duration waited = Duration.ofNanos(System.nanoTime() - started);
        assertEquals(DeliveryFailed.Ending.TEMPORARY, late.ending());
        assertTrue(late.getMessage().endsWith("within the send's deadline: the request is still under way"),
                late.getMessage());
        assertTrue(waited.compareTo(Duration.ofMillis(190)) >= 0 && waited.compareTo(Duration.ofSeconds(5)) < 0,
                "waited " + waited);
        answer.countDown();
        assertEquals("token-1", tokens.secret(Fakes.ANY_WAIT).reveal());
        assertEquals(1, endpoint.requested.size(), "the request went on, and served the next login");
    }

    @Test
    void aLoginBeforeTheFirstBackgroundRequestMakesItUnneeded() {
        tokens.start();
        tokens.secret(Fakes.ANY_WAIT);

        scheduler.runPending();

        assertEquals(1, endpoint.requested.size());
    }

    @Test
    void aRenewalThatWakesBeforeItIsDueByTheClockIsPutOffToWhenItIs() {
        tokens.secret(Fakes.ANY_WAIT);
        clock.advance(Duration.ofMinutes(44));

        scheduler.runPending();

        assertEquals(1, endpoint.requested.size());
        assertEquals(List.of(Duration.ofMinutes(1)), scheduler.pending().stream().map(Fakes.ManualScheduler.Task::delay).toList(),
                "the renewal chain goes on");
        clock.advance(Duration.ofMinutes(1));
        scheduler.runPending();
        assertEquals(2, endpoint.requested.size());
    }

    @Test
    void aShortLivedTokenStaysInUseUntilItsRenewal() {
        endpoint.lifetime = Duration.ofSeconds(4);
        tokens.secret(Fakes.ANY_WAIT);

        clock.advance(Duration.ofMillis(3_500));
        assertEquals("token-1", tokens.secret(Fakes.ANY_WAIT).reveal(), "a tenth of the lifetime before expiry, not a whole second");
        clock.advance(Duration.ofMillis(200));
        assertEquals("token-2", tokens.secret(Fakes.ANY_WAIT).reveal());
    }

    @Test
    void aTokenIsRenewedInTheBackgroundAtThreeQuartersOfItsLifetime_sendsNeverWait() {
        endpoint.lifetime = Duration.ofMinutes(60);
        tokens.start();
        scheduler.runPending();

        assertEquals(List.of(Duration.ofMinutes(45)), scheduler.pending().stream().map(Fakes.ManualScheduler.Task::delay).toList());
        clock.advance(Duration.ofMinutes(45));
        assertEquals("token-1", tokens.secret(Fakes.ANY_WAIT).reveal(), "still good: served, not renewed on the send's path");
        assertEquals(1, endpoint.requested.size());

        scheduler.runPending();
        assertEquals("token-2", tokens.secret(Fakes.ANY_WAIT).reveal());
        assertEquals(2, endpoint.requested.size());
        assertEquals(clock.instant().plus(Duration.ofMinutes(60)), tokens.state().expiresAt().orElseThrow());
        assertEquals(clock.instant(), tokens.state().lastRefresh().orElseThrow());
    }

    @Test
    void manyLoginsWaitingForTheFirstTokenMakeOneRequest() throws Exception {
        CountDownLatch requesting = new CountDownLatch(1);
        CountDownLatch mayAnswer = new CountDownLatch(1);
        endpoint.whileRequesting = () -> {
            requesting.countDown();
            Fakes.await(mayAnswer);
        };
        ExecutorService logins = Executors.newFixedThreadPool(8);
        try {
            List<Future<Password>> secrets = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                secrets.add(logins.submit(() -> tokens.secret(Fakes.ANY_WAIT)));
            }
            assertTrue(requesting.await(5, TimeUnit.SECONDS));
            Thread.sleep(50);
            mayAnswer.countDown();
            for (Future<Password> secret : secrets) {
                assertEquals("token-1", secret.get(5, TimeUnit.SECONDS).reveal());
            }
        } finally {
            logins.shutdownNow();
        }
        assertEquals(1, endpoint.requested.size());
    }

    @Test
    void aRefusedTokenIsReplacedOnce_andAStaleRefusalGetsTheTokenAlreadyReplacingIt() {
        Password first = tokens.secret(Fakes.ANY_WAIT);

        Password second = tokens.afterRefusal(first, Fakes.ANY_WAIT).orElseThrow();
        Password again = tokens.afterRefusal(first, Fakes.ANY_WAIT).orElseThrow();

        assertEquals("token-2", second.reveal());
        assertEquals(second, again);
        assertEquals(2, endpoint.requested.size());
    }

    @Test
    void anEndpointThatIsDownLeavesAValidTokenInUse_andIsAskedAgainWithGrowingDelays() {
        tokens.secret(Fakes.ANY_WAIT);
        endpoint.answer = new TokenEndpoint.Unavailable("could not connect: Connection refused");
        clock.advance(Duration.ofMinutes(45));

        scheduler.runPending();

        assertEquals("token-1", tokens.secret(Fakes.ANY_WAIT).reveal());
        assertEquals(List.of(OAuth2Tokens.RETRY.delay(0)),
                scheduler.pending().stream().map(Fakes.ManualScheduler.Task::delay).toList());
        scheduler.runPending();
        assertEquals(2, endpoint.requested.size(), "not asked again before its retry is due");
        clock.advance(OAuth2Tokens.RETRY.delay(0));
        scheduler.runPending();
        assertEquals(3, endpoint.requested.size());
        assertEquals(List.of(OAuth2Tokens.RETRY.delay(1)),
                scheduler.pending().stream().map(Fakes.ManualScheduler.Task::delay).toList());
        assertTrue(tokens.state().lastError().orElseThrow().message()
                .contains("https://idp.example.com/token: could not connect: Connection refused"));
    }

    @Test
    void withNoValidTokenAndTheEndpointDown_sendsFailAtOnceNamingItUntilItsRetryIsDue() {
        endpoint.answer = new TokenEndpoint.Unavailable("could not connect: Connection refused");

        DeliveryFailed first = assertThrows(DeliveryFailed.class, () -> tokens.secret(Fakes.ANY_WAIT));
        DeliveryFailed second = assertThrows(DeliveryFailed.class, () -> tokens.secret(Fakes.ANY_WAIT));

        assertEquals(DeliveryFailed.Ending.TEMPORARY, first.ending());
        assertEquals("No OAuth 2.0 access token from https://idp.example.com/token: could not connect: "
                + "Connection refused", first.getMessage());
        assertEquals(first.getMessage(), second.getMessage());
        assertEquals(1, endpoint.requested.size(), "the second send did not ask again before the retry was due");
        assertTrue(second.retryAfter().orElseThrow().compareTo(Duration.ofSeconds(1)) <= 0);

        clock.advance(OAuth2Tokens.RETRY.delay(0));
        endpoint.answer = null;
        assertEquals("token-1", tokens.secret(Fakes.ANY_WAIT).reveal());
        assertTrue(tokens.state().lastError().isEmpty(), "a token clears the last error");
    }

    @Test
    void aRefusalFailsSendsForGood_withTheEndpointsAnswer() {
        endpoint.answer = new TokenEndpoint.Refused("invalid_client", Optional.of("AADSTS7000215: Invalid client secret"));

        DeliveryFailed refused = assertThrows(DeliveryFailed.class, () -> tokens.secret(Fakes.ANY_WAIT));

        assertEquals(DeliveryFailed.Ending.REFUSED, refused.ending());
        assertEquals("No OAuth 2.0 access token from https://idp.example.com/token: refused: invalid_client "
                + "(AADSTS7000215: Invalid client secret)", refused.getMessage());
        assertTrue(scheduler.pending().isEmpty(), "a refusal with no valid token is not repeated in the background");
        assertEquals(List.of("token refreshToken refused"), metrics.events);
    }

    @Test
    void aNewRefreshTokenIsUsedFromThenOnAndHandedOnToBeStored() {
        endpoint.rotateTo = Optional.of(Password.of("refresh-2"));
        tokens.secret(Fakes.ANY_WAIT);
        endpoint.rotateTo = Optional.empty();

        tokens.afterRefusal(tokens.secret(Fakes.ANY_WAIT), Fakes.ANY_WAIT);

        OAuth2Login rotated = LOGIN.withRefreshToken(Password.of("refresh-2"));
        assertEquals(List.of(rotated), rotatedTo);
        assertEquals(List.of(LOGIN, rotated), endpoint.requested);
        assertTrue(tokens.takeOver(rotated, "mailbox@example.com"), "stored back, it is still these tokens' login");
        assertTrue(tokens.takeOver(LOGIN, "mailbox@example.com"));
        assertFalse(tokens.takeOver(LOGIN, "other@example.com"));
    }

    @Test
    void closedTokensStopRenewing() {
        tokens.start();
        tokens.close();

        assertTrue(scheduler.pending().isEmpty());
    }

    @Test
    void aRefreshTokenAnotherReplicaStoredIsTakenOverWithoutAskingForAToken() {
        tokens.secret(Fakes.ANY_WAIT);
        OAuth2Login storedByAnother = LOGIN.withRefreshToken(Password.of("refresh-from-another-replica"));

        assertTrue(tokens.takeOver(storedByAnother, "mailbox@example.com"));
        assertEquals(1, endpoint.requested.size(), "nothing asked for when taken over");
        assertEquals("token-1", tokens.secret(Fakes.ANY_WAIT).reveal());

        tokens.afterRefusal(tokens.secret(Fakes.ANY_WAIT), Fakes.ANY_WAIT);
        assertEquals(storedByAnother, endpoint.requested.get(1), "the stored refresh token is asked with from then on");
        assertFalse(tokens.takeOver(new OAuth2Login.RefreshToken(URI.create("https://idp.example.com/token"), "other-app",
                Optional.empty(), Password.of("refresh-1"), Optional.empty()), "mailbox@example.com"),
                "another client is another login");
    }

    /**
     * A token that replaced a refused one and is refused too is not replaced again for a while (the
     * server takes none of this login's: a consent missing, say), then is: once the consent is
     * given, sends work again without waiting for the token's renewal.
     */
    @Test
    void aTokenThatReplacedARefusedOneAndIsRefusedTooIsNotReplacedAgainForAWhile() {
        Password first = tokens.secret(Fakes.ANY_WAIT);
        Password second = tokens.afterRefusal(first, Fakes.ANY_WAIT).orElseThrow();

        assertEquals(Optional.empty(), tokens.afterRefusal(second, Fakes.ANY_WAIT), "no token of this login is taken: stop asking");
        clock.advance(OAuth2Tokens.REFUSED_AGAIN_PAUSE.minusSeconds(1));
        assertEquals(Optional.empty(), tokens.afterRefusal(second, Fakes.ANY_WAIT), "not for the next send either");
        assertEquals(2, endpoint.requested.size());

        clock.advance(Duration.ofSeconds(1));
        Password third = tokens.afterRefusal(second, Fakes.ANY_WAIT).orElseThrow();
        assertNotEquals(second, third);
        assertEquals(third, tokens.secret(Fakes.ANY_WAIT), "the sends after it take the new one");
        assertEquals(3, endpoint.requested.size());
    }

    @Test
    void whileARequestAfterAFailureIsUnderWaySendsFailAtOnceRatherThanWaitForIt() throws Exception {
        endpoint.answer = new TokenEndpoint.Unavailable("gave no answer within 10000 ms");
        assertThrows(DeliveryFailed.class, () -> tokens.secret(Fakes.ANY_WAIT));
        clock.advance(OAuth2Tokens.RETRY.delay(0));
        CountDownLatch requesting = new CountDownLatch(1);
        CountDownLatch mayAnswer = new CountDownLatch(1);
        endpoint.whileRequesting = () -> {
            requesting.countDown();
            Fakes.await(mayAnswer);
        };
        ExecutorService asking = Executors.newSingleThreadExecutor();
        try {
            Future<Password> slow = asking.submit(() -> tokens.secret(Fakes.ANY_WAIT));
            assertTrue(requesting.await(5, TimeUnit.SECONDS));

            DeliveryFailed atOnce = assertThrows(DeliveryFailed.class, () -> tokens.secret(Fakes.ANY_WAIT));
            assertTrue(atOnce.getMessage().contains("gave no answer"), atOnce.getMessage());
            assertEquals("https://idp.example.com/token", tokens.state().endpoint(), "the status does not wait either");

            endpoint.answer = null;
            mayAnswer.countDown();
            assertEquals("token-1", slow.get(5, TimeUnit.SECONDS).reveal());
        } finally {
            asking.shutdownNow();
        }
        assertEquals(2, endpoint.requested.size());
    }

    @Test
    void aTokenGoneByTheTimeItCameIsAFailureNotALoop() {
        endpoint.lifetime = Duration.ofMillis(500);
        endpoint.whileRequesting = () -> clock.advance(Duration.ofMillis(600));

        DeliveryFailed failed = assertThrows(DeliveryFailed.class, () -> tokens.secret(Fakes.ANY_WAIT));

        assertTrue(failed.getMessage().contains("gave a token valid for 500 ms"), failed.getMessage());
        assertEquals(List.of(OAuth2Tokens.RETRY.delay(0)),
                scheduler.pending().stream().map(Fakes.ManualScheduler.Task::delay).toList());
    }

    @Test
    void takingOverAStoredRefreshTokenForgetsTheFailuresOfTheOldOne() {
        endpoint.answer = new TokenEndpoint.Refused("invalid_grant", Optional.empty());
        assertThrows(DeliveryFailed.class, () -> tokens.secret(Fakes.ANY_WAIT));
        endpoint.answer = null;

        assertTrue(tokens.takeOver(LOGIN.withRefreshToken(Password.of("stored-by-another")), "mailbox@example.com"));

        assertTrue(tokens.state().lastError().isEmpty());
        assertEquals("token-1", tokens.secret(Fakes.ANY_WAIT).reveal(), "asked with the stored one at once, not after the backoff");
    }

    @Test
    void anAdapterThatThrowsLeavesTheRenewalsGoing() {
        endpoint.whileRequesting = () -> {
            throw new IllegalStateException("a bug in an adapter");
        };
        tokens.start();

        scheduler.runPending();

        assertTrue(tokens.state().lastError().orElseThrow().message().contains("failed unexpectedly"));
        assertEquals(List.of(OAuth2Tokens.RETRY.delay(0)),
                scheduler.pending().stream().map(Fakes.ManualScheduler.Task::delay).toList());
    }
}
