package dev.mailservice.bootstrap.pipeshub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import dev.mailservice.testkit.ServiceProcess;
import jakarta.mail.Message;
import jakarta.mail.Multipart;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

    /**
 * PipesHub's own callers, replayed against the packaged jar: each test sends exactly the body and
 * the token one call site of PipesHub's Node backend sends (the file and function are named), and
 * asserts what that caller needs back, and the mail that arrives. Each backend runs the whole suite
 * through a subclass.
 */
abstract class PipesHubCallers {

    static final String SCOPED_SECRET = "Q1w2E3r4T5y6U7i8O9p0";
    static final String JWT_SECRET = "J1w2E3r4T5y6U7i8O9p0";
    static final String SMTP_PASSWORD = "Relay-Pa55word-2026";
    static final String ORG_ID = "665f1c2e9b1e8a0087654321";
    static final String USER_ID = "665f1c2e9b1e8a0012345678";
    static final String FRONTEND = "https://pipeshub.acme.test";
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final GreenMailExtension SMTP_SERVER = new GreenMailExtension(new ServerSetup(0, "127.0.0.1", "smtp"))
            .withConfiguration(GreenMailConfiguration.aConfig().withUser("relay@acme.test", "relay", SMTP_PASSWORD));

    private static ServiceProcess service;
    private static int port;
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    /** Starts the packaged jar on the subclass's backend, with a PipesHub deployment's variables. */
    static void startJar(Path directory, Map<String, String> variables) throws Exception {
        service = ServiceProcess.launchJarAsDeployed(directory, variables, Path.of(System.getProperty("service.jar")));
        port = service.awaitReadyPort();
    }

    @AfterAll
    static void stopJar() throws Exception {
        if (service != null) {
            service.terminate();
            service.exitCode();
            String output = String.join("\n", service.output());
            assertFalse(output.contains(SMTP_PASSWORD), "a log line showed the SMTP password");
            service.close();
        }
    }

    /** Removes what the backend holds, as on a fresh install. */
    abstract void clearStore() throws Exception;

    /** Stores {@code json} in the backend the way PipesHub's configuration manager writes it. */
    abstract void storeAsPipesHub(String json) throws Exception;

    /** Whether the service runs with {@code HIDE_SECRET_CONFIG=true}. */
    abstract boolean hidesSecretConfig();

    @BeforeEach
    void freshInstall() throws Exception {
        clearStore();
    }

    // -- The configuration manager (configuration_manager/) --------------------------------------

    /** {@code ConfigService.updateConfig}, step 2 of saving the frontend URL, before any SMTP is set up. */
    @Test
    void theFrontendUrlChainReloadsBeforeAnySmtpIsStored() throws Exception {
        HttpResponse<String> response = post("/api/v1/mail/updateSmtpConfig",
                PipesHubTokens.fetchConfig(SCOPED_SECRET, null, ORG_ID), null);

        assertEquals(200, response.statusCode(), response.body());
        assertEquals("{\"message\":\"SMTP configuration updated successfully\",\"smtp\":null}", response.body());
    }

    /** {@code cm_controller.createSmtpConfig}: the admin's POST, then its call of the reload route. */
    @Test
    void savingSmtpSettingsStoresThemAndTheReloadTheConfigurationManagerMakesApplies() throws Exception {
        HttpResponse<String> saved = configureSmtp("Acme <noreply@acme.test>");
        assertEquals(200, saved.statusCode(), saved.body());
        assertEquals("{\"message\":\"SMTP config created successfully\"}", saved.body());

        HttpResponse<String> reloaded = post("/api/v1/mail/updateSmtpConfig",
                PipesHubTokens.fetchConfig(SCOPED_SECRET, null, ORG_ID), null);

        assertEquals(200, reloaded.statusCode(), reloaded.body());
        assertEquals("{\"message\":\"SMTP configuration updated successfully\",\"smtp\":{\"host\":\"127.0.0.1\",\"port\":"
                + SMTP_SERVER.getSmtp().getPort() + ",\"username\":\"relay\",\"fromEmail\":\"Acme <noreply@acme.test>\"}}",
                reloaded.body());
    }

    /** {@code user_management/middlewares/smtpConfigCheck.ts}, in front of the invite routes. */
    @Test
    void theInviteRoutesSmtpCheckFindsHostPortAndFromEmail() throws Exception {
        configureSmtp("noreply@acme.test");

        HttpResponse<String> response = get("/api/v1/configurationManager/internal/smtpConfig",
                PipesHubTokens.fetchConfig(SCOPED_SECRET, USER_ID, ORG_ID));

        assertEquals(200, response.statusCode(), response.body());
        JsonNode smtp = JSON.readTree(response.body());
        assertFalse(smtp.path("host").asText().isEmpty());
        assertTrue(smtp.path("port").asInt() > 0);
        assertFalse(smtp.path("fromEmail").asText().isEmpty());
    }

    @Test
    void theInviteRoutesSmtpCheckSeesNothingOnAFreshInstall() throws Exception {
        HttpResponse<String> response = get("/api/v1/configurationManager/internal/smtpConfig",
                PipesHubTokens.fetchConfig(SCOPED_SECRET, USER_ID, ORG_ID));

        assertEquals(200, response.statusCode(), response.body());
        assertEquals("{}", response.body());
    }

    /** The admin view, and a POST of what it showed: the placeholders keep the stored values. */
    @Test
    void theAdminViewHidesWhatTheDeploymentHidesAndWhatItShowedCanBeSentBack() throws Exception {
        configureSmtp("noreply@acme.test");
        String admin = PipesHubTokens.session(JWT_SECRET, "admin");

        HttpResponse<String> shown = get("/api/v1/configurationManager/smtpConfig", admin);

        JsonNode view = JSON.readTree(shown.body());
        assertEquals("****************", view.path("password").asText());
        assertEquals(hidesSecretConfig() ? "****************" : "127.0.0.1", view.path("host").asText());
        assertEquals(hidesSecretConfig() ? "****************" : "noreply@acme.test", view.path("fromEmail").asText());
        assertEquals(200, post("/api/v1/configurationManager/smtpConfig", admin, shown.body()).statusCode());
        String stored = get("/api/v1/configurationManager/internal/smtpConfig",
                PipesHubTokens.fetchConfig(SCOPED_SECRET, USER_ID, ORG_ID)).body();
        assertTrue(stored.contains("\"host\":\"127.0.0.1\"") && stored.contains("\"password\":\"" + SMTP_PASSWORD + "\""),
                stored);
    }

    /** {@code auth.middleware}: a session token from before roles makes the web app sign the user in again. */
    @Test
    void aSessionWithoutARoleIs401AndAMemberIs403() throws Exception {
        assertEquals(401, get("/api/v1/configurationManager/smtpConfig", PipesHubTokens.session(JWT_SECRET, null))
                .statusCode());
        assertEquals(403, get("/api/v1/configurationManager/smtpConfig", PipesHubTokens.session(JWT_SECRET, "member"))
                .statusCode());
    }

    /** A configuration PipesHub accepted: a password without a username applies, unused, with a warning. */
    @Test
    void aPasswordWithoutAUsernameStoredByPipesHubApplies() throws Exception {
        storeAsPipesHub("{\"host\": \"127.0.0.1\", \"port\": " + SMTP_SERVER.getSmtp().getPort()
                + ", \"password\": \"" + SMTP_PASSWORD + "\", \"fromEmail\": \"Acme <noreply@acme.test>\"}");

        HttpResponse<String> reloaded = post("/api/v1/mail/updateSmtpConfig",
                PipesHubTokens.fetchConfig(SCOPED_SECRET, null, ORG_ID), null);
        assertEquals(200, reloaded.statusCode(), reloaded.body());
        String status = get("/api/v1/mail/smtpConfig", PipesHubTokens.fetchConfig(SCOPED_SECRET, USER_ID, ORG_ID)).body();
        assertTrue(status.contains("\"warnings\":[\"A password is set but no username"), status);

        assertSent(sendMail(PipesHubTokens.mail(SCOPED_SECRET, "ann@acme.test"), "loginWithOTP", "OTP for Login",
                "ann@acme.test", Map.of("orgName", "Acme", "otp", "482916")));
        assertEquals(1, SMTP_SERVER.getReceivedMessages().length);
    }

    // -- The mails (auth/ and user_management/ through their mail.service.ts) ---------------------

    /**
     * Each mail as its call site sends it, on a fresh install whose admin set up SMTP with
     * {@code fromEmail}: answered as sent, and the one mail that arrives shows each value it must.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("callSiteMails")
    void eachMailArrivesAsItsCallSiteSendsIt(CallSiteMail mail) throws Exception {
        configureSmtp(mail.fromEmail());

        assertSent(sendMail(mail.token().apply(mail.to()), mail.template(), mail.subject(), mail.to(),
                mail.templateData()));

        assertShows(received(mail.subject(), mail.to()), mail.shown().toArray(String[]::new));
    }

    /**
     * A mail of PipesHub's: its call site, the sender the admin set up, the token that call site
     * signs for the recipient, the body's fields, and what the mail must show.
     */
    record CallSiteMail(String callSite, String fromEmail, Function<String, String> token, String template,
            String subject, String to, Map<String, String> templateData, List<String> shown) {

        @Override
        public String toString() {
            return callSite;
        }
    }

    static Stream<CallSiteMail> callSiteMails() {
        Function<String, String> mailToken = to -> PipesHubTokens.mail(SCOPED_SECRET, to);
        Function<String, String> userMailToken = to -> PipesHubTokens.userMail(SCOPED_SECRET, to, USER_ID, ORG_ID);
        Function<String, String> orgVerificationToken = to -> PipesHubTokens.orgVerificationMail(SCOPED_SECRET, to, ORG_ID);
        String resetPassword = FRONTEND + "/reset-password#token=eyJhbGciOiJIUzI1NiJ9.e30.sig";
        String resetEmail = FRONTEND + "/reset-email#token=eyJhbGciOiJIUzI1NiJ9.e30.sig";
        String verifyOrg = FRONTEND + "/verify-org#token=abc";
        return Stream.of(
                new CallSiteMail("userAccount.controller.generateAndSendLoginOtp", "Acme <noreply@acme.test>",
                        mailToken, "loginWithOTP", "OTP for Login", "ann@acme.test",
                        Map.of("name", "Ann Lee", "orgName", "Acme", "otp", "482916"),
                        List.of("Ann Lee", "Acme", "482916", "10 minutes")),
                new CallSiteMail("userAccount.controller.generateAndSendLoginOtp, for a user without a full name "
                        + "(PipesHub's user.fullName is then left out)", "noreply@acme.test",
                        mailToken, "loginWithOTP", "OTP for Login", "ann@acme.test",
                        Map.of("orgName", "Acme", "otp", "482916"),
                        List.of("Hello,", "482916")),
                new CallSiteMail("userAccount.controller.verifyOTP and authenticateWithPassword, on the fifth failure; "
                        + "no link", "noreply@acme.test",
                        mailToken, "suspiciousLoginAttempt", "Alert : Suspicious Login Attempt Detected", "ann@acme.test",
                        Map.of("orgName", "Acme", "name", "Ann Lee"),
                        List.of("Ann Lee", "Acme", "24 hours")),
                new CallSiteMail("userAccount.controller.verifyOTP and authenticateWithPassword, on the fifth failure, "
                        + "for a user without a name", "noreply@acme.test",
                        mailToken, "suspiciousLoginAttempt", "Alert : Suspicious Login Attempt Detected", "bob@acme.test",
                        Map.of("orgName", "Acme"),
                        List.of("Hello,", "24 hours")),
                new CallSiteMail("userAccount.controller.sendForgotPasswordEmail", "noreply@acme.test",
                        userMailToken, "resetPassword", "PipesHub | Reset your password!", "ann@acme.test",
                        Map.of("orgName", "Acme", "name", "Ann Lee", "link", resetPassword),
                        List.of("Ann Lee", "Acme", resetPassword)),
                new CallSiteMail("users.controller.sendValidateEmailIdEmail: to the new address, on a change of e-mail",
                        "noreply@acme.test",
                        userMailToken, "resetEmail", "PipesHub | Verify your email !", "ann.new@acme.test",
                        Map.of("orgName", "Acme", "name", "Ann Lee", "link", resetEmail),
                        List.of("Ann Lee", "Acme", resetEmail)),
                new CallSiteMail("users.controller.sendInviteMail: the inviter's name, the org, a link",
                        "noreply@acme.test",
                        userMailToken, "appuserInvite", "You are invited to join Acme Ltd ", "new.hire@acme.test",
                        Map.of("invitee", "Ada Admin", "orgName", "Acme", "link", resetPassword),
                        List.of("Ada Admin", "Acme", resetPassword)),
                new CallSiteMail("users.controller.resendInvite: the invited user has no name yet, so no invitee",
                        "noreply@acme.test",
                        mailToken, "appuserInvite", "You are invited to join Acme Ltd ", "new.hire@acme.test",
                        Map.of("orgName", "Acme", "link", FRONTEND + "/sign-in"),
                        List.of("You are invited", "Acme", FRONTEND + "/sign-in")),
                new CallSiteMail("org.controller.createOrg: invitee and name are fillers, shown by neither "
                        + "PipesHub's mail nor this one", "noreply@acme.test",
                        mailToken, "accountCreation", "New Org Account Creation", "founder@acme.test",
                        Map.of("invitee", "PipesHub", "name", "User", "orgName", "Acme Ltd", "link", FRONTEND),
                        List.of("Hello,", "Acme Ltd", FRONTEND)),
                new CallSiteMail("orgEmailVerification: no call site sends it today; its token and fields are "
                        + "createJwt.ts's", "noreply@acme.test",
                        orgVerificationToken, "orgEmailVerification", "Verify your organisation", "founder@acme.test",
                        Map.of("name", "Fay Founder", "orgName", "Acme Ltd", "verificationLink", verifyOrg),
                        List.of("Fay Founder", "Acme Ltd", verifyOrg)));
    }

    @Test
    void everyValueArrivesEscaped() throws Exception {
        configureSmtp("noreply@acme.test");

        assertSent(sendMail(PipesHubTokens.mail(SCOPED_SECRET, "ann@acme.test"), "loginWithOTP", "OTP for Login",
                "ann@acme.test", Map.of("name", "<img src=x onerror=alert(1)>", "orgName", "Smith & Sons", "otp", "1")));

        String html = html(received("OTP for Login", "ann@acme.test"));
        assertFalse(html.contains("<img"), html);
        assertTrue(html.contains("&lt;img src&#61;x onerror&#61;alert(1)&gt;") && html.contains("Smith &amp; Sons"), html);
    }

    // -- Helpers ----------------------------------------------------------------------------------

    /** As an admin saves SMTP settings in PipesHub's web app. */
    HttpResponse<String> configureSmtp(String fromEmail) throws Exception {
        ObjectNodeBuilder body = new ObjectNodeBuilder().put("host", "127.0.0.1").put("port", SMTP_SERVER.getSmtp().getPort())
                .put("username", "relay").put("password", SMTP_PASSWORD).put("fromEmail", fromEmail);
        return post("/api/v1/configurationManager/smtpConfig", PipesHubTokens.session(JWT_SECRET, "admin"), body.json());
    }

    /** The body both {@code mail.service.ts} of PipesHub send, field for field. */
    static HttpResponse<String> sendMail(String token, String template, String subject, String to,
            Map<String, String> templateData) throws Exception {
        String body = new ObjectNodeBuilder().put("productName", "PIP").put("emailTemplateType", template)
                .put("isAutoEmail", false).put("fromEmailDomain", "noreply@contextualml.com")
                .put("sendEmailTo", List.of(to)).put("subject", subject).put("templateData", templateData).json();
        return post("/api/v1/mail/emails/sendEmail", token, body);
    }

    static void assertSent(HttpResponse<String> response) {
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("{\"data\":{\"status\":true,\"data\":\"Email sent\"}}", response.body());
    }

    /**
     * The one mail received with {@code subject} for {@code to}, From the configured sender. A
     * header's trailing white space does not survive folding: the invitation's subject ends with one.
     */
    static MimeMessage received(String subject, String to) throws Exception {
        List<MimeMessage> matching = new ArrayList<>();
        for (MimeMessage mail : SMTP_SERVER.getReceivedMessages()) {
            if (mail.getSubject().equals(subject.strip())
                    && ((InternetAddress) mail.getRecipients(Message.RecipientType.TO)[0]).getAddress().equals(to)) {
                matching.add(mail);
            }
        }
        assertEquals(1, matching.size(), "mails with subject '" + subject + "' to " + to);
        MimeMessage mail = matching.getFirst();
        InternetAddress from = (InternetAddress) mail.getFrom()[0];
        assertTrue(from.getAddress().equals("noreply@acme.test"), from.toString());
        return mail;
    }

    /** Fails unless both bodies show each of {@code shown} (the HTML as it escapes it) and neither says null. */
    static void assertShows(MimeMessage mail, String... shown) throws Exception {
        String html = html(mail);
        String text = (String) ((Multipart) mail.getContent()).getBodyPart(0).getContent();
        for (String value : shown) {
            String escaped = value.replace("&", "&amp;").replace("=", "&#61;").replace("<", "&lt;").replace(">", "&gt;");
            assertTrue(html.contains(escaped), "the HTML lacks " + value + ": " + html);
            assertTrue(text.contains(value), "the text lacks " + value + ": " + text);
        }
        assertTrue(html.contains("PipesHub") && !html.contains(">PIP<"), "the mail does not name the brand: " + html);
        assertFalse(html.contains("null") || text.contains("null"), "a missing field showed as null");
    }

    static String html(MimeMessage mail) throws Exception {
        return (String) ((Multipart) mail.getContent()).getBodyPart(1).getContent();
    }

    static HttpResponse<String> post(String path, String token, String body) throws Exception {
        // PipesHub's clients declare JSON even when they send no body (the reload call).
        return CLIENT.send(request(path, token).header("Content-Type", "application/json")
                .POST(body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(String path, String token) throws Exception {
        return CLIENT.send(request(path, token).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest.Builder request(String path, String token) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(30));
    }

    /** A JSON object built field by field, in order. */
    static final class ObjectNodeBuilder {

        private final Map<String, Object> fields = new LinkedHashMap<>();

        ObjectNodeBuilder put(String name, Object value) {
            fields.put(name, value);
            return this;
        }

        String json() throws Exception {
            return JSON.writeValueAsString(fields);
        }
    }
}
