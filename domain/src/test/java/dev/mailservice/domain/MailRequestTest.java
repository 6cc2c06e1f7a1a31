package dev.mailservice.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MailRequestTest {

    private static MailRequest otp(List<String> to, Map<String, String> data) {
        return MailRequest.of("loginWithOTP", to, List.of(), null, data, List.of());
    }

    private static String refusedField(Runnable request) {
        return assertThrows(InvalidMailRequestException.class, request::run).field().orElseThrow();
    }

    @Test
    void buildsFromTheContractsFields() {
        MailRequest request = MailRequest.of("appuserInvite", List.of("a@example.com"), List.of("b@example.com"),
                "Join us", Map.of("invitee", "Ann", "orgName", "Acme", "link", "https://acme.example/invite"),
                List.of());

        assertEquals(MailTemplate.APP_USER_INVITE, request.template());
        assertEquals(List.of(new EmailAddress("a@example.com")), request.to());
        assertEquals(List.of(new EmailAddress("b@example.com")), request.cc());
        assertEquals(Optional.of("Join us"), request.subject());
    }

    @Test
    void aBlankSubjectMeansTheTemplatesOwn() {
        MailRequest request = MailRequest.of("suspiciousLoginAttempt", List.of("a@example.com"), List.of(), " ",
                Map.of("link", "http://support.example"), List.of());

        assertEquals(Optional.empty(), request.subject());
    }

    @Test
    void anUnknownTemplateIsRefusedByName() {
        InvalidMailRequestException refusal = assertThrows(InvalidMailRequestException.class,
                () -> MailRequest.of("newsletter", List.of("a@example.com"), List.of(), null, Map.of(), List.of()));

        assertEquals(Optional.of("template"), refusal.field());
        assertEquals("template must be one of [loginWithOTP, suspiciousLoginAttempt, resetPassword, resetEmail, "
                + "accountCreation, appuserInvite, orgEmailVerification], got 'newsletter'", refusal.getMessage());
    }

    @Test
    void aMissingTemplateIsRefusedByName() {
        assertEquals("template", refusedField(
                () -> MailRequest.of(null, List.of("a@example.com"), List.of(), null, Map.of(), List.of())));
    }

    @Test
    void noRecipientIsRefused() {
        assertEquals("to", refusedField(() -> otp(List.of(), Map.of("name", "Ann", "otp", "123456"))));
    }

    @Test
    void aBadRecipientIsRefusedWithItsPosition() {
        InvalidMailRequestException refusal = assertThrows(InvalidMailRequestException.class,
                () -> otp(List.of("a@example.com", "not-an-address"), Map.of("name", "Ann", "otp", "123456")));

        assertEquals(Optional.of("to[1]"), refusal.field());
        assertEquals("to[1] must be an e-mail address like name@example.com, got 'not-an-address'",
                refusal.getMessage());
    }

    @Test
    void aBadCarbonCopyIsRefusedWithItsPosition() {
        assertEquals("cc[0]", refusedField(() -> MailRequest.of("loginWithOTP", List.of("a@example.com"),
                List.of("nope"), null, Map.of("name", "Ann", "otp", "1"), List.of())));
    }

    @Test
    void everyTemplateDataFieldMayBeLeftOut() {
        for (MailTemplate template : MailTemplate.values()) {
            MailRequest request = MailRequest.of(template.key(), List.of("a@example.com"), List.of(), null, Map.of(),
                    List.of());

            assertEquals(template, request.template());
        }
    }

    /** Links PipesHub builds from its FRONTEND_PUBLIC_URL, whatever host a deployment gives it. */
    @ParameterizedTest
    @ValueSource(strings = {"http://pipeshub_frontend:3001/reset-password#token=a.b.c", "https://bücher.example/invite",
        "https://[2001:db8::1]:8443/sign-in", "HTTPS://Acme.example", "https://उदाहरण.भारत/invite", "http://acme.example:/x"})
    void aLinkToAnyHostABrowserOpensIsTaken(String link) {
        assertEquals(link, MailRequest.of("resetPassword", List.of("a@example.com"), List.of(), null,
                Map.of("name", "Ann", "link", link), List.of()).templateData().get("link"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"javascript:alert(1)", "data:text/html,hi", "not a url", "ftp://files.example/x", "https://",
        "http://:8080/reset", "https://ann@/invite", "http:/reset-password", "http://host:abc/", "http://%0d%0a/",
        "http://-/", "http://./", "http://\u200b/", "http://a..b/", "http://acme.example:99999/"})
    void aLinkGivenMustBeAWebUrl(String link) {
        assertEquals("templateData.link", refusedField(() -> MailRequest.of("resetPassword", List.of("a@example.com"),
                List.of(), null, Map.of("name", "Ann", "link", link), List.of())));
        assertEquals("templateData.verificationLink", refusedField(() -> MailRequest.of("orgEmailVerification",
                List.of("a@example.com"), List.of(), null, Map.of("verificationLink", link), List.of())));
    }

    @Test
    void anEmptyLinkIsNoLink() {
        assertEquals("", MailRequest.of("resetPassword", List.of("a@example.com"), List.of(), null,
                Map.of("link", ""), List.of()).templateData().get("link"));
    }

    private static MailRequest withAttachment(String filename, String contentType) {
        return MailRequest.of("loginWithOTP", List.of("a@example.com"), List.of(), null,
                Map.of("name", "Ann", "otp", "123456"),
                List.of(new MailMessage.Attachment(filename, contentType, new byte[] {1})));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a.txt\r\nX-Injected: yes", "a.txt\nX-Injected: yes", "a\u0000.txt", " "})
    void refusesAnAttachmentNameThatCouldWriteHeaders(String filename) {
        assertEquals("attachments[0].filename", refusedField(() -> withAttachment(filename, "text/plain")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"not a type;;;", "text/plain\r\nX-Injected: yes", "text/plain;\ncharset=utf-8",
            "text", "text/", "/plain", "text/plain; charset", "text/plain; charset=\"utf-8",
            "multipart/mixed; boundary=zzz", "Message/rfc822"})
    void refusesAnAttachmentTypeThatIsNotASingleMediaType(String contentType) {
        assertEquals("attachments[0].contentType", refusedField(() -> withAttachment("a.txt", contentType)));
    }

    @Test
    void refusesAnAttachmentTypeLongerThanAnyMediaTypeBeforeMatchingIt() {
        String longest = "text/plain" + " ".repeat(MailRequest.MAX_CONTENT_TYPE_CHARS - "text/plain;".length()) + ";";
        assertEquals(longest, withAttachment("a.txt", longest).attachments().getFirst().contentType());

        for (String tooLong : List.of(longest + ";", "a/b" + ";c=d".repeat(100_000), "a/b;c=\"" + "d".repeat(100_000) + "\"")) {
            InvalidMailRequestException refused = assertThrows(InvalidMailRequestException.class,
                    () -> withAttachment("a.txt", tooLong));
            assertEquals("attachments[0].contentType must be a media type of at most 255 characters", refused.getMessage());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"application/pdf", "text/plain; charset=utf-8", "text/plain;charset=\"utf-8\"",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "image/svg+xml",
            "text/csv; header=present; charset=UTF-8;"})
    void acceptsMediaTypes(String contentType) {
        assertEquals(contentType, withAttachment("report.pdf", contentType).attachments().getFirst().contentType());
    }
}
