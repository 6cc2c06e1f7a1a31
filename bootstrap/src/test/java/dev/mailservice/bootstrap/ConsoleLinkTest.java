package dev.mailservice.bootstrap;

import static dev.mailservice.testkit.Tokens.USER_SECRET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.keys.HmacKey;
import org.junit.jupiter.api.Test;

/** The link that opens the console signed in: where it points, and the admin token it carries. */
class ConsoleLinkTest {

    private static final Instant NOW = Instant.parse("2026-12-05T10:00:00Z");

    private static JwtClaims claimsOf(String link) throws Exception {
        String token = link.substring(link.indexOf("#token=") + "#token=".length());
        return new JwtConsumerBuilder().setVerificationKey(new HmacKey(USER_SECRET.getBytes()))
                .setRelaxVerificationKeyValidation().setEvaluationTime(
                        org.jose4j.jwt.NumericDate.fromSeconds(NOW.getEpochSecond()))
                .setRequireExpirationTime().build().processToClaims(token);
    }

    @Test
    void aLinkToThisPortsConsoleWithAnAdminTokenOfTheMinutesAsked() throws Exception {
        String link = ConsoleLink.of(List.of("--minutes", "45"), Map.of("JWT_SECRET", USER_SECRET, "PORT", "8025"), NOW);

        assertTrue(link.startsWith("http://localhost:8025/console/#token="), link);
        JwtClaims claims = claimsOf(link);
        assertEquals("admin", claims.getStringClaimValue("role"));
        assertEquals(NOW.plusSeconds(45 * 60).getEpochSecond(), claims.getExpirationTime().getValue());
        assertEquals(NOW.plusSeconds(30 * 60).getEpochSecond(), claimsOf(ConsoleLink.of(List.of(),
                Map.of("JWT_SECRET", USER_SECRET), NOW)).getExpirationTime().getValue(), "30 minutes unless asked");
        assertTrue(ConsoleLink.of(List.of(), Map.of("JWT_SECRET", USER_SECRET), NOW).startsWith("http://localhost:3000/"));
    }

    @Test
    void aMissingSecretOrAMalformedLifetimeIsRefusedSayingWhatToDo() {
        assertTrue(assertThrows(InvalidSettingsException.class, () -> ConsoleLink.of(List.of(), Map.of(), NOW))
                .getMessage().contains("set JWT_SECRET"));
        for (List<String> args : List.of(List.of("--minutes"), List.of("--minutes", "0"), List.of("--minutes", "1441"),
                List.of("--hours", "1"), List.of("--minutes", "x"))) {
            assertTrue(assertThrows(InvalidSettingsException.class,
                    () -> ConsoleLink.of(args, Map.of("JWT_SECRET", USER_SECRET), NOW)).getMessage()
                    .startsWith("console-link takes --minutes N"), args.toString());
        }
    }
}
