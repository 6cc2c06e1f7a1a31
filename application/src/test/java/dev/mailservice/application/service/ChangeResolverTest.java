package dev.mailservice.application.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailservice.application.port.in.SmtpConfigurationChange;
import dev.mailservice.application.port.in.SmtpConfigurationChange.Field;
import dev.mailservice.application.failure.InvalidInput;
import dev.mailservice.domain.OAuth2Login;
import dev.mailservice.domain.OpaqueFields;
import dev.mailservice.domain.Password;
import dev.mailservice.domain.SmtpConfiguration;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which changes need the stored configuration, and what each kept field takes from it. */
class ChangeResolverTest {

    private static final SmtpConfiguration STORED =
            SmtpConfiguration.of("stored.example.com", 587, "stored-user", "stored-pa55", "stored@example.com", false);

    /** Everything given anew, except {@code kept}, which is to be kept as stored. */
    private static SmtpConfigurationChange keeping(String kept) {
        return new SmtpConfigurationChange(
                kept.equals("host") ? Field.KEEP : Field.of(Optional.of("stored.example.com")), 587, false,
                kept.equals("username") ? Field.KEEP : Field.of(Optional.of("stored-user")),
                kept.equals("password") ? Field.KEEP : Field.of(Optional.of("new-pa55")),
                kept.equals("fromEmail") ? Field.KEEP : Field.of(Optional.of("new@example.com")), OpaqueFields.NONE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"host", "username", "password", "fromEmail"})
    void aChangeKeepingAnyOneFieldNeedsTheStoredConfigurationAndTakesThatFieldFromIt(String kept) {
        SmtpConfigurationChange change = keeping(kept);

        assertTrue(ChangeResolver.keepsAny(change));
        SmtpConfiguration resolved = ChangeResolver.resolve(change, Optional.of(STORED));
        assertEquals(kept.equals("password") ? "stored-pa55" : "new-pa55", resolved.password().orElseThrow().reveal());
        assertEquals(kept.equals("fromEmail") ? "stored@example.com" : "new@example.com", resolved.fromEmail().value());
        assertEquals("stored.example.com", resolved.host());
        assertEquals(Optional.of("stored-user"), resolved.username());
    }

    @Test
    void aChangeGivingEveryFieldNeedsNothingStored() {
        assertFalse(ChangeResolver.keepsAny(keeping("nothing")));
    }

    private static final OAuth2Login STORED_LOGIN = new OAuth2Login.RefreshToken(
            URI.create("https://idp.example.com/token"), "app", Optional.of(Password.of("client-s3cret")),
            Password.of("refresh-s3cret"), Optional.empty());
    private static final SmtpConfiguration STORED_OAUTH2 = SmtpConfiguration.of("smtp.example.com", 587,
            "mailbox@example.com", null, "noreply@example.com", false).withOAuth2(Optional.of(STORED_LOGIN));

    /** The stored OAuth 2.0 configuration submitted back with its secrets as placeholders and {@code changed} changed. */
    private static SmtpConfigurationChange oauth2Keeping(Map<String, String> changed) {
        Map<String, Field> oauth2 = new LinkedHashMap<>();
        STORED_LOGIN.fields().forEach((name, value) -> oauth2.put(name, Field.of(Optional.of(value))));
        STORED_LOGIN.secrets().keySet().forEach(name -> oauth2.put(name, Field.KEEP));
        changed.forEach((name, value) -> oauth2.put(name, Field.of(Optional.of(value))));
        return new SmtpConfigurationChange(Field.of(Optional.of(changed.getOrDefault("host", "smtp.example.com"))),
                Integer.parseInt(changed.getOrDefault("port", "587")), Boolean.parseBoolean(changed.getOrDefault("secure", "false")),
                Field.of(Optional.of(changed.getOrDefault("username", "mailbox@example.com"))),
                Field.of(Optional.empty()), Field.of(Optional.of("noreply@example.com")), OpaqueFields.NONE,
                Optional.of(oauth2));
    }

    @Test
    void aChangePrintsWhetherEachValueWasGivenNeverTheValue() {
        SmtpConfigurationChange change = oauth2Keeping(Map.of("clientSecret", "Cl13nt-S3cret"));
        SmtpConfigurationChange withPassword = new SmtpConfigurationChange(Field.of(Optional.of("smtp.example.com")), 587,
                false, Field.of(Optional.of("mailbox@example.com")), Field.of(Optional.of("Sm7p-Pa55word")),
                Field.KEEP, OpaqueFields.NONE);

        assertFalse(change.toString().contains("Cl13nt-S3cret"), change.toString());
        assertFalse(withPassword.toString().contains("Sm7p-Pa55word"), withPassword.toString());
        assertTrue(withPassword.toString().contains("password=Given[hidden], fromEmail=Keep[]"), withPassword.toString());
    }

    @Test
    void storedOAuth2SecretsAreKeptWhileServerMailboxKindEndpointAndClientStay() {
        SmtpConfigurationChange change = oauth2Keeping(Map.of());

        assertTrue(ChangeResolver.keepsAny(change));
        assertEquals(STORED_OAUTH2, ChangeResolver.resolve(change, Optional.of(STORED_OAUTH2)));
        assertEquals(Optional.of("offline_access"), ChangeResolver.resolve(oauth2Keeping(Map.of("scope", "offline_access")),
                Optional.of(STORED_OAUTH2)).oauth2().orElseThrow().scopeAsked(), "a scope may change, secrets kept");
    }

    @ParameterizedTest
    @ValueSource(strings = {"host", "port", "secure", "username", "tokenUrl", "clientId"})
    void aStoredOAuth2SecretGoesNowhereElse(String changed) {
        // Another port may be another listener, and one without TLS would see the access token.
        Map<String, String> values = Map.of("host", "evil.example.com", "port", "25", "secure", "true",
                "username", "other@example.com", "tokenUrl", "https://evil.example.com/token", "clientId", "other-app");

        InvalidInput refusal = assertThrows(InvalidInput.class, () -> ChangeResolver.resolve(
                oauth2Keeping(Map.of(changed, values.get(changed))), Optional.of(STORED_OAUTH2)));

        assertEquals("oauth2.clientSecret", refusal.field().orElseThrow());
        assertTrue(refusal.getMessage().contains("must be given again"), refusal.getMessage());
        assertFalse(refusal.getMessage().contains("s3cret"), refusal.getMessage());
    }

    @Test
    void anotherKindCannotTakeAStoredSecret() {
        Map<String, Field> microsoft = new LinkedHashMap<>();
        microsoft.put("kind", Field.of(Optional.of("microsoft")));
        microsoft.put("tenantId", Field.of(Optional.of("contoso.onmicrosoft.com")));
        microsoft.put("clientId", Field.of(Optional.of("app")));
        microsoft.put("clientSecret", Field.KEEP);
        SmtpConfigurationChange change = new SmtpConfigurationChange(Field.of(Optional.of("smtp.example.com")), 587,
                false, Field.of(Optional.of("mailbox@example.com")), Field.of(Optional.empty()),
                Field.of(Optional.of("noreply@example.com")), OpaqueFields.NONE, Optional.of(microsoft));

        assertEquals("oauth2.clientSecret", assertThrows(InvalidInput.class,
                () -> ChangeResolver.resolve(change, Optional.of(STORED_OAUTH2))).field().orElseThrow());
        assertEquals("oauth2.clientSecret", assertThrows(InvalidInput.class,
                () -> ChangeResolver.resolve(change, Optional.of(STORED))).field().orElseThrow(),
                "nothing of OAuth 2.0 is stored to keep");
    }

    @Test
    void aChangeWithoutOAuth2DropsTheStoredLogin() {
        SmtpConfigurationChange change = new SmtpConfigurationChange(Field.of(Optional.of("smtp.example.com")), 587,
                false, Field.of(Optional.of("mailbox@example.com")), Field.of(Optional.of("pw")),
                Field.of(Optional.of("noreply@example.com")), OpaqueFields.NONE);

        assertEquals(Optional.empty(), ChangeResolver.resolve(change, Optional.of(STORED_OAUTH2)).oauth2());
    }
}
