package dev.mailservice.adapters.http.routes;

import static dev.mailservice.testkit.Tokens.SCOPED_SECRET;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailservice.adapters.http.HttpAdapterTest;
import dev.mailservice.application.failure.DeliveryFailed;
import dev.mailservice.application.failure.NotConfigured;
import dev.mailservice.domain.MailMessage;
import dev.mailservice.domain.MailRequest;
import dev.mailservice.domain.MailTemplate;
import dev.mailservice.testkit.RawHttp;
import dev.mailservice.testkit.Tokens;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webserver.WebServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** POST /api/v1/mail/emails/sendEmail: the body's shapes, the answers, the limits. */
class SendMailRouteTest extends HttpAdapterTest {

    SendMailRouteTest(WebServer server, Http1Client client) {
        super(server, client);
    }

    private static final String PATH = "/api/v1/mail/emails/sendEmail";
    private static final String OTP_MAIL = """
            {"emailTemplateType": "loginWithOTP", "sendEmailTo": ["user@example.com"],
             "templateData": {"name": "John Doe", "otp": "123456"}, "isAutoEmail": true}""";

    private Answer send(String body) throws Exception {
        return call("POST", PATH, Tokens.scoped(SCOPED_SECRET, "mail:send"), body);
    }

    @Test
    void answersTheContractsBodyAndPassesTheRequestOn() throws Exception {
        assertOk(send(OTP_MAIL), "{\"data\":{\"status\":true,\"data\":\"Email sent\"}}");

        MailRequest request = useCases.sent.getFirst();
        assertEquals(MailTemplate.LOGIN_WITH_OTP, request.template());
        assertEquals("user@example.com", request.to().getFirst().value());
        assertEquals(Map.of("name", "John Doe", "otp", "123456"), request.templateData());
        assertEquals(Optional.empty(), request.subject());
    }

    @Test
    void needsTheMailSendScope() throws Exception {
        assertError(call("POST", PATH, Tokens.scoped(SCOPED_SECRET, "fetch:config"), OTP_MAIL), 401, "HTTP_UNAUTHORIZED",
                "The token does not grant the scope mail:send");
        assertEquals(List.of(), useCases.sent);
    }

    @Test
    void aUserTokenIsRefusedSayingTheRouteNeedsAScopedToken() throws Exception {
        assertError(call("POST", PATH, Tokens.user(Tokens.USER_SECRET, "admin"), OTP_MAIL), 401, "HTTP_UNAUTHORIZED",
                "This route needs a scoped token with the scope mail:send (signed with SCOPED_JWT_SECRET); a user token "
                        + "(signed with JWT_SECRET) was given");
        assertEquals(List.of(), useCases.sent);
    }

    @Test
    void readsEveryFieldOfTheContract() throws Exception {
        send("""
                {"emailTemplateType": "appuserInvite", "sendEmailTo": ["a@example.com", "b@example.com"],
                 "sendCcTo": ["c@example.com"], "subject": "Join Acme", "productName": "Acme Cloud",
                 "fromEmailDomain": "ignored@example.com",
                 "templateData": {"invitee": "Ann", "orgName": "Acme", "link": "https://acme.example/invite"}}""");

        MailRequest request = useCases.sent.getFirst();
        assertEquals(2, request.to().size());
        assertEquals("c@example.com", request.cc().getFirst().value());
        assertEquals(Optional.of("Join Acme"), request.subject());
    }

    @Test
    void acceptsASingleAddressAndANumericOtp() throws Exception {
        send("""
                {"emailTemplateType": "loginWithOTP", "sendEmailTo": "user@example.com",
                 "templateData": {"name": "Ann", "otp": 123456}}""");

        assertEquals("123456", useCases.sent.getFirst().templateData().get("otp"));
    }

    @Test
    void decodesBase64AttachmentsAndKeepsTextOnes() throws Exception {
        byte[] pdf = {'%', 'P', 'D', 'F', 0, (byte) 0xff};
        send("""
                {"emailTemplateType": "suspiciousLoginAttempt", "sendEmailTo": ["u@example.com"],
                 "templateData": {"link": "https://support.example"},
                 "attachments": [
                   {"filename": "report.pdf", "content": "%s", "contentType": "application/pdf"},
                   {"filename": "notes.txt", "content": "plain words", "contentType": "text/plain"},
                   {"filename": "declared.bin", "content": "%s", "encoding": "base64"},
                   {"filename": "word.bin", "content": "just some words!"},
                   {"filename": "report.docx", "content": "%s",
                    "contentType": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
                   {"filename": "feed.atom", "content": "<feed/>", "contentType": "application/atom+xml; charset=utf-8"},
                   {"filename": "data.json", "content": "{}", "contentType": "application/json"}]}"""
                .formatted(Base64.getEncoder().encodeToString(pdf), Base64.getEncoder().encodeToString(pdf),
                        Base64.getEncoder().encodeToString(pdf)));

        List<MailMessage.Attachment> attachments = useCases.sent.getFirst().attachments();
        assertArrayEquals(pdf, attachments.get(0).content());
        assertEquals("application/pdf", attachments.get(0).contentType());
        assertEquals("plain words", new String(attachments.get(1).content(), StandardCharsets.UTF_8));
        assertArrayEquals(pdf, attachments.get(2).content());
        assertEquals("application/octet-stream", attachments.get(2).contentType());
        assertEquals("just some words!", new String(attachments.get(3).content(), StandardCharsets.UTF_8));
        // An Office document's type names XML in its subtype, yet its content is binary.
        assertArrayEquals(pdf, attachments.get(4).content());
        assertEquals("<feed/>", new String(attachments.get(5).content(), StandardCharsets.UTF_8));
        assertEquals("{}", new String(attachments.get(6).content(), StandardCharsets.UTF_8));
    }

    @Test
    void aLongAttachmentTypeIs400NotAStackOverflow() throws Exception {
        for (String contentType : List.of("a/b" + ";c=d".repeat(2_500), "a/b;c=\\\"" + "d".repeat(10_000) + "\\\"")) {
            assertError(send(OTP_MAIL.replace("}, \"isAutoEmail\"", "}, \"attachments\": [{\"filename\": \"a.txt\", "
                    + "\"content\": \"words\", \"contentType\": \"" + contentType + "\"}], \"isAutoEmail\"")), 400,
                    "HTTP_BAD_REQUEST", "attachments[0].contentType must be a media type of at most 255 characters");
        }
        assertEquals(List.of(), useCases.sent);
    }

    @Test
    void anUnknownTemplateIs400NamingIt() throws Exception {
        assertError(send(OTP_MAIL.replace("loginWithOTP", "newsletter")), 400, "HTTP_BAD_REQUEST",
                "emailTemplateType must be one of [loginWithOTP, suspiciousLoginAttempt, resetPassword, resetEmail, "
                        + "accountCreation, appuserInvite, orgEmailVerification], got 'newsletter'");
    }

    @Test
    void aMissingTemplateFieldIsSentEmptyAsPipesHubRendersIt() throws Exception {
        assertEquals(200, send(OTP_MAIL.replace(", \"otp\": \"123456\"", "")).statusCode());

        assertEquals(null, useCases.sent.getFirst().templateData().get("otp"));
    }

    @Test
    void templateDataMissingOrNotAnObjectIs400() throws Exception {
        for (String templateData : List.of("", ", \"templateData\": null", ", \"templateData\": [\"Ann\"]",
                ", \"templateData\": \"Ann\"")) {
            assertError(send("{\"emailTemplateType\": \"loginWithOTP\", \"sendEmailTo\": [\"user@example.com\"]"
                    + templateData + "}"), 400, "HTTP_BAD_REQUEST",
                    "templateData is required and must be a JSON object (its fields may be left out)");
        }
        assertEquals(List.of(), useCases.sent);
    }

    @Test
    void aBadAddressIs400NamingIt() throws Exception {
        assertError(send(OTP_MAIL.replace("[\"user@example.com\"]", "[\"user@example.com\", \"nobody\"]")), 400,
                "HTTP_BAD_REQUEST", "sendEmailTo[1] must be an e-mail address like name@example.com, got 'nobody'");
    }

    @Test
    void noRecipientIs400() throws Exception {
        assertError(send(OTP_MAIL.replace("\"sendEmailTo\": [\"user@example.com\"],", "")), 400, "HTTP_BAD_REQUEST",
                "sendEmailTo needs at least one e-mail address");
    }

    @Test
    void wrongShapesAre400NamingTheField() throws Exception {
        assertError(send(OTP_MAIL.replace("[\"user@example.com\"]", "{\"to\": 1}")), 400, "HTTP_BAD_REQUEST",
                "sendEmailTo must be an array of e-mail addresses");
        assertError(send("[1, 2]"), 400, "HTTP_BAD_REQUEST", "The request body must be a JSON object, found array");
        assertError(send("{\"emailTemplateType\": "), 400, "HTTP_BAD_REQUEST",
                "The request body is not valid JSON (line 1, column 23)");
    }

    @Test
    void aBodyInAnEncodingOtherThanUtf8Is400() throws Exception {
        for (byte[] body : List.of(OTP_MAIL.getBytes(StandardCharsets.UTF_16LE), new byte[] {0, 0, '{', 0})) {
            assertError(call("POST", PATH, Tokens.scoped(SCOPED_SECRET, "mail:send"), body), 400, "HTTP_BAD_REQUEST",
                    "The request body is not UTF-8: JSON is read in UTF-8 alone");
        }
        assertEquals(List.of(), useCases.sent);
    }

    @Test
    void nothingActiveIs400SayingSmtpIsNotConfigured() throws Exception {
        useCases.sendAnswer = request -> {
            throw new NotConfigured();
        };

        assertError(send(OTP_MAIL), 400, "HTTP_BAD_REQUEST",
                "SMTP is not configured: store a configuration and reload it before sending mail");
    }

    @Test
    void aMailTheServerRefusedForGoodIs502SmtpRefusedWithItsReply() throws Exception {
        useCases.sendAnswer = request -> {
            throw DeliveryFailed.refused("The SMTP server smtp.example.com:587 did not accept the mail: 554 5.7.1 "
                    + "Relay access denied (1 attempt); nothing was delivered", 1, null);
        };

        Answer answer = send(OTP_MAIL);

        assertError(answer, 502, "SMTP_REFUSED", "The SMTP server smtp.example.com:587 did not accept the mail: 554 5.7.1 "
                + "Relay access denied (1 attempt); nothing was delivered");
        assertTrue(answer.headers().firstValue("Retry-After").isEmpty(), "a refusal for good asks for no retry");
    }

    @Test
    void aMailNotTakenWithinTheDeadlineIs503SmtpTemporaryFailureWithRetryAfter() throws Exception {
        useCases.sendAnswer = request -> {
            throw DeliveryFailed.temporary("Cannot connect to the SMTP server smtp.example.com:587: Connection refused "
                    + "(4 attempts); nothing was delivered", 4, Duration.ofSeconds(30), null);
        };

        Answer answer = send(OTP_MAIL);

        assertError(answer, 503, "SMTP_TEMPORARY_FAILURE", "Cannot connect to the SMTP server smtp.example.com:587: "
                + "Connection refused (4 attempts); nothing was delivered");
        assertEquals("30", answer.headers().firstValue("Retry-After").orElseThrow());
    }

    @Test
    void aMailThatMayHaveBeenDeliveredIs504SmtpOutcomeUnknown() throws Exception {
        useCases.sendAnswer = request -> {
            throw DeliveryFailed.uncertain("The SMTP server smtp.example.com:587 took the whole mail but gave no answer "
                    + "to its end (Connection reset): it may have been delivered (1 attempt); it was not sent again", 1, null);
        };

        Answer answer = send(OTP_MAIL);

        assertError(answer, 504, "SMTP_OUTCOME_UNKNOWN", "The SMTP server smtp.example.com:587 took the whole mail but "
                + "gave no answer to its end (Connection reset): it may have been delivered (1 attempt); it was not sent "
                + "again");
        assertTrue(answer.headers().firstValue("Retry-After").isEmpty(), "a mail that may have gone asks for no retry");
    }

    @Test
    void acceptsBodiesUpToTenMebibytes() throws Exception {
        String large = OTP_MAIL.replace("\"isAutoEmail\": true", "\"padding\": \"" + "x".repeat(9 * 1024 * 1024) + "\"");

        assertEquals(200, send(large).statusCode());
    }

    /**
     * Refused from its declared length, before a byte of it is read; the rest is not read either, so
     * the answer closes the connection (a client that writes its whole body before it reads may see
     * the connection reset instead).
     */
    @Test
    void refusesBodiesOverTenMebibytes() throws Exception {
        try (RawHttp client = new RawHttp(port())) {
            client.send("POST " + PATH + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                    + Tokens.scoped(SCOPED_SECRET, "mail:send") + "\r\nContent-Type: application/json\r\nContent-Length: "
                    + (10 * 1024 * 1024 + 1) + "\r\n\r\n" + OTP_MAIL.substring(0, 20));

            RawHttp.Answer answer = client.answer();
            assertEquals(413, answer.status());
            assertEquals("{\"error\":{\"code\":\"HTTP_PAYLOAD_TOO_LARGE\",\"message\":\"The request body is larger than "
                    + "the limit of 10 MiB\"}}", answer.body());
            assertEquals("close", answer.header("Connection"));
        }
        assertEquals(List.of(), useCases.sent);
    }

    @Test
    void refusesAStreamedBodyThatGrowsPastTheLimit() throws Exception {
        byte[] tooLarge = OTP_MAIL.replace("\"isAutoEmail\": true", "\"padding\": \"" + "x".repeat(10 * 1024 * 1024) + "\"")
                .getBytes(StandardCharsets.UTF_8);

        Answer response = callStreaming("POST", PATH, Tokens.scoped(SCOPED_SECRET, "mail:send"), out -> {
            try {
                out.write(tooLarge);
            } catch (IOException refusedMidway) {
                // The server answered and stopped reading: what it answered is what is checked.
            }
        });

        assertEquals(413, response.statusCode(), response.body());
        assertTrue(response.body().contains("HTTP_PAYLOAD_TOO_LARGE"), response.body());
        assertEquals(List.of(), useCases.sent);
    }
}
