package dev.mailservice.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SmtpConfigurationTest {

    private static final String SECRET = "s3cret-Pa55";

    private static SmtpConfiguration valid() {
        return SmtpConfiguration.of("smtp.example.com", 587, "ops@example.com", SECRET, "noreply@example.com", false);
    }

    private static InvalidSmtpConfigurationException refusal(String host, int port, String username, String fromEmail) {
        return assertThrows(InvalidSmtpConfigurationException.class,
                () -> SmtpConfiguration.of(host, port, username, SECRET, fromEmail, false));
    }

    @Test
    void holdsWhatItWasBuiltFrom() {
        SmtpConfiguration configuration = valid();

        assertEquals("smtp.example.com", configuration.host());
        assertEquals(587, configuration.port());
        assertEquals(Optional.of("ops@example.com"), configuration.username());
        assertEquals(SECRET, configuration.password().orElseThrow().reveal());
        assertEquals(Mailbox.parse("noreply@example.com"), configuration.fromEmail());
    }

    @Test
    void tlsIsImplicitOnPort465OrWhenSecureElseStartTls() {
        assertTrue(SmtpConfiguration.of("smtp.example.com", 465, null, null, "a@example.com", false).implicitTls());
        assertTrue(SmtpConfiguration.of("smtp.example.com", 2465, null, null, "a@example.com", true).implicitTls());
        assertFalse(SmtpConfiguration.of("smtp.example.com", 587, null, null, "a@example.com", false).implicitTls());
    }

    @Test
    void usernameAndPasswordAreOptionalAndBlankMeansAbsent() {
        SmtpConfiguration configuration = SmtpConfiguration.of("smtp.example.com", 587, "", " ", "a@example.com", false);

        assertTrue(configuration.username().isEmpty());
        assertTrue(configuration.password().isEmpty());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "smtp example.com", "smtp\u0000.example.com", "smtp\u202e.example.com",
            "127.0.0.1:25", "smtp://smtp.example.com", "smtp.example.com/", "-smtp.example.com", "smtp-.example.com",
            "smtp..example.com", "256.1.1.1", "1.2.3", "1::2::3", "1:2:3:4:5:6:7:8:9", "[::1", "fe80::1%eth0",
            "smtp.example.com\n", "\tsmtp.example.com", "exa\u200bmple.com", "local\u00adhost", "a\ufeffb.example",
            "[smtp.example.com]", "[1::2::3]", "[10.0.0.25]", "1:2:3:4::5:6:7:8", "1:2:3:4:5:6:7"})
    void refusesAHostThatIsNeitherANameNorAnAddressWithoutQuotingIt(String host) {
        InvalidSmtpConfigurationException refusal = refusal(host, 587, null, "a@example.com");

        assertEquals(Optional.of("host"), refusal.field());
        assertFalse(!host.isBlank() && refusal.getMessage().contains(host), refusal.getMessage());
    }

    @Test
    void refusesAMissingOrOverlongHost() {
        assertEquals("host is required and must not be blank",
                refusal(null, 587, null, "a@example.com").getMessage());
        assertEquals(Optional.of("host"), refusal(("a".repeat(63) + ".").repeat(4) + "com", 587, null, "a@b.c").field());
        assertEquals(Optional.of("host"), refusal("a".repeat(5_000), 587, null, "a@b.c").field());
    }

    @Test
    void aHostNameMayHaveUpTo253CharactersBesidesAFinalDot() {
        String longest = ("a".repeat(63) + ".").repeat(3) + "b".repeat(61);

        assertEquals(253, longest.length());
        assertEquals(longest, SmtpConfiguration.of(longest, 25, null, null, "a@b.c", false).host());
        assertEquals(longest + ".", SmtpConfiguration.of(longest + ".", 25, null, null, "a@b.c", false).host());
        assertEquals(Optional.of("host"), refusal(longest + "b", 25, null, "a@b.c").field());
    }

    @ParameterizedTest
    @ValueSource(strings = {"smtp.example.com", "localhost", "mail_relay", "smtp-relay.default.svc.cluster.local",
            "smtp.example.com.", "xn--bcher-kva.example", "bücher.example", "10.0.0.25", "::1", "[::1]",
            "2001:db8::25", "2001:db8::", "[2001:db8::]", "::", "::ffff:192.0.2.1", "1:2:3:4:5:6:7:8",
            "1:2:3:4:5:6:7::", "1:2:3:4:5:6:192.0.2.1"})
    void acceptsDnsNamesAndAddresses(String host) {
        assertEquals(host, SmtpConfiguration.of(host, 25, null, null, "a@example.com", false).host());
    }

    @Test
    void anInternationalHostIsConnectedToInItsAsciiForm() {
        assertEquals("xn--mnchen-3ya.example", SmtpConfiguration.of("münchen.example", 25, null, null, "a@b.c", false).asciiHost());
        assertEquals("xn--mnchen-3ya.example", SmtpConfiguration.of("münchen\u3002example", 25, null, null, "a@b.c", false).asciiHost());
        assertEquals("smtp.example.com", SmtpConfiguration.of("smtp.example.com", 25, null, null, "a@b.c", false).asciiHost());
        assertEquals("xn--wgv71a", SmtpConfiguration.of("日本", 25, null, null, "a@b.c", false).asciiHost());
        assertEquals("xn--r8jz45g.xn--zckzah", SmtpConfiguration.of("例え。テスト", 25, null, null, "a@b.c", false).asciiHost());
    }

    @Test
    void itsAddressIsHostColonPort() {
        assertEquals("smtp.example.com:587", valid().address());
    }

    @ParameterizedTest
    @ValueSource(strings = {"ops\r\n@example.com", "ops\u0000", "ops\u007f"})
    void refusesAUsernameWithControlCharactersWithoutQuotingIt(String username) {
        InvalidSmtpConfigurationException refusal = refusal("smtp.example.com", 587, username, "a@example.com");

        assertEquals(Optional.of("username"), refusal.field());
        assertFalse(refusal.getMessage().contains(username), refusal.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, 65_536, 70_000})
    void refusesAPortOutsideTheRangeWithoutQuotingIt(int port) {
        InvalidSmtpConfigurationException refusal = refusal("smtp.example.com", port, null, "a@example.com");

        assertEquals(Optional.of("port"), refusal.field());
        assertEquals("port must be between 1 and 65535", refusal.getMessage());
    }

    @Test
    void acceptsThePortRangeBounds() {
        assertEquals(1, SmtpConfiguration.of("h", 1, null, null, "a@b.c", false).port());
        assertEquals(65_535, SmtpConfiguration.of("h", 65_535, null, null, "a@b.c", false).port());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "noreply", "noreply@", "@example.com", "no reply@example.com",
            "a@b@example.com", "Name <noreply@example>x", "Name <not an address>", "Name noreply@example.com",
            "a@example..com", "a@-example.com", "Name\r\nBcc: x@example.com <noreply@example.com>"})
    void refusesAFromEmailThatIsNotAnAddressWithoutQuotingIt(String fromEmail) {
        InvalidSmtpConfigurationException refusal = refusal("smtp.example.com", 587, null, fromEmail);

        assertEquals(Optional.of("fromEmail"), refusal.field());
        assertEquals("fromEmail must be an e-mail address like name@example.com, or Name <name@example.com>",
                refusal.getMessage());
        assertEquals("fromEmail is required", refusal("smtp.example.com", 587, null, null).getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"Acme <noreply@acme.test>", "\"Acme, Inc.\" <noreply@acme.test>", "Zoë Ltd <zoe@acme.test>",
            "<noreply@acme.test>"})
    void acceptsAFromEmailWithADisplayName(String fromEmail) {
        SmtpConfiguration configuration = SmtpConfiguration.of("smtp.example.com", 587, null, null, fromEmail, false);

        assertTrue(configuration.fromEmail().address().value().endsWith("@acme.test"));
        assertEquals(configuration, SmtpConfiguration.of("smtp.example.com", 587, null, null,
                configuration.fromEmail().value(), false));
    }

    @Test
    void keepsAPasswordWithoutAUsernameAndWarnsThatItCannotBeUsed() {
        SmtpConfiguration configuration = SmtpConfiguration.of("smtp.example.com", 587, null, SECRET, "a@example.com", false);

        assertEquals(SECRET, configuration.password().orElseThrow().reveal());
        assertEquals(List.of("A password is set but no username: SMTP AUTH is not attempted; set a username to log in"),
                configuration.warnings());
        assertEquals(List.of(), valid().warnings());
    }

    @Test
    void aUsernameWithoutAPasswordIsKeptAndWarnsThatNoSendCanLogIn() {
        SmtpConfiguration configuration = SmtpConfiguration.of("smtp.example.com", 587, "ops", null, "a@example.com", false);

        assertFalse(configuration.logsIn());
        assertEquals(List.of("A username is set but no password: every send is refused; set the password (or oauth2), "
                + "or remove the username to send without a login"), configuration.warnings());
    }

    @Test
    void anOAuth2LoginNeedsTheMailboxAsUsernameAndLeavesAStoredPasswordUnused() {
        OAuth2Login login = new OAuth2Login.Microsoft("contoso.onmicrosoft.com", "app", Password.of("client-" + SECRET));
        SmtpConfiguration withoutUser = SmtpConfiguration.of("smtp.office365.com", 587, null, null, "a@example.com",
                false);

        InvalidSmtpConfigurationException refusal = assertThrows(InvalidSmtpConfigurationException.class,
                () -> withoutUser.withOAuth2(Optional.of(login)));
        assertEquals("username", refusal.field().orElseThrow());

        SmtpConfiguration oauth2 = valid().withOAuth2(Optional.of(login));
        assertEquals(Optional.of(login), oauth2.oauth2());
        assertTrue(oauth2.logsIn());
        assertEquals(List.of("A password is stored but not used: the login is OAuth 2.0 (oauth2); it is kept as stored"),
                oauth2.warnings());
        assertEquals(List.of(), SmtpConfiguration.of("smtp.office365.com", 587, "a@example.com", null, "a@example.com",
                false).withOAuth2(Optional.of(login)).warnings());
        assertFalse(oauth2.toString().contains(SECRET), oauth2.toString());
        assertEquals(valid(), oauth2.withOAuth2(Optional.empty()));
        assertFalse(withoutUser.logsIn());
    }

    @Test
    void toStringNeverShowsThePassword() {
        assertFalse(valid().toString().contains(SECRET), valid().toString());
        assertTrue(valid().toString().contains("smtp.example.com"));
    }
}
