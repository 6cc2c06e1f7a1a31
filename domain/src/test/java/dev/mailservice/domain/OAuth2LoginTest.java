package dev.mailservice.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The three ways to log in with OAuth 2.0: what each accepts, where it asks, and when a stored secret may be kept. */
class OAuth2LoginTest {

    private static final Password SECRET = Password.of("client-s3cret");
    private static final Password KEY = Password.of("-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n");

    private static OAuth2Login.Microsoft microsoft(String tenant, String client) {
        return new OAuth2Login.Microsoft(tenant, client, SECRET);
    }

    private static OAuth2Login.RefreshToken refreshToken(String url, String client) {
        return new OAuth2Login.RefreshToken(URI.create(url), client, Optional.empty(), Password.of("r1"),
                Optional.of("offline_access"));
    }

    private static String refusedField(Runnable build) {
        InvalidSmtpConfigurationException refusal = assertThrows(InvalidSmtpConfigurationException.class, build::run);
        assertFalse(refusal.getMessage().contains("s3cret"), refusal.getMessage());
        return refusal.field().orElseThrow();
    }

    @Test
    void microsoftAsksItsTenantsEndpointUnderTheAuthority() {
        assertEquals(URI.create("https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token"),
                microsoft("contoso.onmicrosoft.com", "app").tokenEndpoint(OAuth2Login.Microsoft.PUBLIC_CLOUD));
        assertEquals(URI.create("https://login.microsoftonline.us/0f1e2d3c/oauth2/v2.0/token"),
                microsoft("0f1e2d3c", "app").tokenEndpoint(URI.create("https://login.microsoftonline.us/")),
                "a sovereign cloud's authority, its trailing slash dropped");
        assertEquals("contoso.onmicrosoft.com", microsoft("contoso.onmicrosoft.com", "app").endpoint());
        assertEquals("microsoft", microsoft("t", "app").kind());
        assertEquals("app", microsoft("t", "app").clientIdentity());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a/b", "../evil", "t?x=1", "t#f", "-t"})
    void aTenantThatIsNoIdOrDomainIsRefusedByName(String tenant) {
        assertEquals("oauth2.tenantId", refusedField(() -> microsoft(tenant, "app")));
    }

    @Test
    void eachRequiredValueIsRefusedByNameWhenMissing() {
        assertEquals("oauth2.clientId", refusedField(() -> microsoft("t", " ")));
        assertEquals("oauth2.clientId", refusedField(() -> microsoft("t", "a\nb")));
        assertEquals("oauth2.clientEmail", refusedField(() -> new OAuth2Login.Google("not-an-address", KEY,
                OAuth2Login.Google.DEFAULT_TOKEN_URI)));
        assertEquals("oauth2.privateKey", refusedField(() -> new OAuth2Login.Google("svc@p.iam.gserviceaccount.com",
                Password.of("client-s3cret"), OAuth2Login.Google.DEFAULT_TOKEN_URI)));
        assertEquals("oauth2.clientId", refusedField(() -> refreshToken("https://idp.example.com/token", "")));
        assertEquals("oauth2.scope", refusedField(() -> new OAuth2Login.RefreshToken(URI.create("https://idp.example.com/t"),
                "app", Optional.empty(), Password.of("r1"), Optional.of(" "))));
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://idp.example.com/token", "https:///token", "https://user:pw@idp.example.com/token",
            "https://idp.example.com/token?client_secret=x", "https://idp.example.com/token#f", "ftp://idp.example.com/t"})
    void aTokenEndpointIsHttpsWithAHostAndNothingThatCarriesSecrets(String url) {
        assertEquals("oauth2.tokenUrl", refusedField(() -> refreshToken(url, "app")));
        assertEquals("oauth2.tokenUri", refusedField(() -> new OAuth2Login.Google("svc@p.iam.gserviceaccount.com", KEY,
                URI.create(url))));
        assertEquals("oauth2.authority", refusedField(() -> microsoft("t", "app").tokenEndpoint(URI.create(url))));
    }

    @Test
    void googleAsksGooglesEndpointForTheServiceAccount() {
        OAuth2Login.Google google = new OAuth2Login.Google("svc@p.iam.gserviceaccount.com", KEY,
                OAuth2Login.Google.DEFAULT_TOKEN_URI);

        assertEquals("https://oauth2.googleapis.com/token", google.endpoint());
        assertEquals("google", google.kind());
        assertEquals("svc@p.iam.gserviceaccount.com", google.clientIdentity());
        assertFalse(google.toString().contains("MIIB"), google.toString());
    }

    @Test
    void aStoredSecretMayBeKeptOnlyForTheSameKindEndpointAndClient() {
        OAuth2Login stored = refreshToken("https://idp.example.com/token", "app");

        assertTrue(stored.sameEndpointAndClient(refreshToken("https://idp.example.com/token", "app")));
        assertFalse(stored.sameEndpointAndClient(refreshToken("https://evil.example.com/token", "app")));
        assertFalse(stored.sameEndpointAndClient(refreshToken("https://idp.example.com/token", "other")));
        assertFalse(stored.sameEndpointAndClient(microsoft("t", "app")));
        assertFalse(stored.sameEndpointAndClient(null));
        assertTrue(microsoft("t", "app").sameEndpointAndClient(microsoft("t", "app")));
        assertFalse(microsoft("t", "app").sameEndpointAndClient(microsoft("other", "app")));
    }

    @Test
    void aRotatedRefreshTokenReplacesOnlyTheRefreshToken() {
        OAuth2Login.RefreshToken stored = refreshToken("https://idp.example.com/token", "app");

        OAuth2Login.RefreshToken rotated = stored.withRefreshToken(Password.of("r2"));

        assertEquals("r2", rotated.refreshToken().reveal());
        assertEquals("refreshToken", rotated.kind());
        assertEquals("https://idp.example.com/token", rotated.endpoint());
        assertEquals(new OAuth2Login.RefreshToken(stored.tokenUrl(), stored.clientId(), stored.clientSecret(),
                Password.of("r2"), stored.scope()), rotated);
    }

    @Test
    void eachKindIsBuiltFromPlainValuesAndGivesThemBack() {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("kind", "refreshToken");
        values.put("tokenUrl", "https://idp.example.com/token");
        values.put("clientId", "app");
        values.put("clientSecret", " ");
        values.put("refreshToken", "r1");
        OAuth2Login login = OAuth2Login.of(values);

        assertEquals(refreshToken("https://idp.example.com/token", "app").withRefreshToken(Password.of("r1")),
                new OAuth2Login.RefreshToken(URI.create("https://idp.example.com/token"), "app", Optional.empty(),
                        Password.of("r1"), Optional.of("offline_access")));
        assertEquals(Map.of("kind", "refreshToken", "tokenUrl", "https://idp.example.com/token", "clientId", "app"),
                login.fields(), "a blank secret is no secret");
        assertEquals(Map.of("refreshToken", Password.of("r1")), login.secrets());

        OAuth2Login google = OAuth2Login.of(Map.of("kind", "google", "clientEmail", "svc@p.iam.gserviceaccount.com",
                "privateKey", KEY.reveal()));
        assertEquals(OAuth2Login.Google.DEFAULT_TOKEN_URI.toString(), google.fields().get("tokenUri"),
                "the token URI defaults to Google's");
        assertEquals(Map.of("privateKey", KEY), google.secrets());

        OAuth2Login microsoft = OAuth2Login.of(Map.of("kind", "microsoft", "tenantId", "t", "clientId", "app",
                "clientSecret", SECRET.reveal()));
        assertEquals(microsoft("t", "app"), microsoft);
        assertEquals(List.of("kind", "tenantId", "clientId"), List.copyOf(microsoft.fields().keySet()));
        assertEquals(Map.of("clientSecret", SECRET), microsoft.secrets());
    }

    @Test
    void aMissingOrUnknownKindOrSecretIsRefusedByName() {
        assertEquals("oauth2.kind", refusedField(() -> OAuth2Login.of(Map.of("clientId", "app"))));
        assertEquals("oauth2.kind", refusedField(() -> OAuth2Login.of(Map.of("kind", "basic"))));
        assertEquals("oauth2.clientSecret", refusedField(() -> OAuth2Login.of(Map.of("kind", "microsoft",
                "tenantId", "t", "clientId", "app"))));
        assertEquals("oauth2.refreshToken", refusedField(() -> OAuth2Login.of(Map.of("kind", "refreshToken",
                "tokenUrl", "https://idp.example.com/token", "clientId", "app"))));
        assertEquals("oauth2.tokenUrl", refusedField(() -> OAuth2Login.of(Map.of("kind", "refreshToken",
                "tokenUrl", "https://idp example.com/", "clientId", "app", "refreshToken", "r"))));
        assertEquals("oauth2.privateKey", refusedField(() -> OAuth2Login.of(Map.of("kind", "google",
                "clientEmail", "svc@p.iam.gserviceaccount.com"))));
        assertEquals("oauth2.clientEmail", refusedField(() -> OAuth2Login.of(Map.of("kind", "google",
                "privateKey", KEY.reveal()))));
    }

    @Test
    void aConfigurationThatDiffersOnlyInItsRefreshTokenIsTold() {
        OAuth2Login.RefreshToken login = refreshToken("https://idp.example.com/token", "app");
        SmtpConfiguration configuration = SmtpConfiguration.of("smtp.example.com", 587, "mailbox@example.com", null,
                "noreply@example.com", false).withOAuth2(Optional.of(login));
        SmtpConfiguration rotated = configuration.withOAuth2(Optional.of(login.withRefreshToken(Password.of("r2"))));

        assertTrue(configuration.differsOnlyInRefreshToken(rotated));
        assertTrue(login.sameButRefreshToken(login.withRefreshToken(Password.of("r2"))));
        assertFalse(configuration.differsOnlyInRefreshToken(configuration), "not when nothing differs");
        assertFalse(configuration.differsOnlyInRefreshToken(SmtpConfiguration.of("smtp.example.com", 587,
                "mailbox@example.com", null, "other@example.com", false).withOAuth2(rotated.oauth2())));
        assertFalse(configuration.differsOnlyInRefreshToken(configuration.withOAuth2(Optional.of(
                refreshToken("https://idp.example.com/token", "other").withRefreshToken(Password.of("r2"))))));
        assertFalse(configuration.differsOnlyInRefreshToken(configuration.withOAuth2(Optional.empty())));
        assertFalse(login.sameButRefreshToken(microsoft("t", "app")));
    }
}
