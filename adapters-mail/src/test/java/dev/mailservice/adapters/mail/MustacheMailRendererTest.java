package dev.mailservice.adapters.mail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailservice.application.port.out.MailRenderer.RenderedMail;
import dev.mailservice.domain.MailRequest;
import dev.mailservice.domain.MailTemplate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MustacheMailRendererTest {

    private static final Map<String, String> DATA = Map.of("name", "Ann", "otp", "123456", "orgName", "Acme",
            "invitee", "Bob", "link", "https://app.example.com/go?token=a&b=c",
            "verificationLink", "https://app.example.com/verify?t=1&u=2");
    /** How the HTML shows each value: escaped. */
    private static final Map<String, String> DATA_IN_HTML = Map.of("link", "https://app.example.com/go?token&#61;a&amp;b&#61;c",
            "verificationLink", "https://app.example.com/verify?t&#61;1&amp;u&#61;2");

    private final MustacheMailRenderer renderer = new MustacheMailRenderer("PipesHub");

    private RenderedMail render(MailTemplate template, Map<String, String> data) {
        return renderer.render(MailRequest.of(template.key(), List.of("to@example.com"), List.of(), null, data,
                List.of()));
    }

    @Test
    void everyTemplateShowsEveryFieldItsCallersSendInBothBodiesAndHasASubject() {
        for (MailTemplate template : MailTemplate.values()) {
            RenderedMail mail = render(template, DATA);

            assertFalse(mail.defaultSubject().isBlank(), template.key());
            assertTrue(mail.html().startsWith("<!DOCTYPE html>"), template.key());
            for (String field : template.fields()) {
                assertTrue(mail.html().contains(DATA_IN_HTML.getOrDefault(field, DATA.get(field))),
                        template.key() + " html lacks " + field);
                assertTrue(mail.text().contains(DATA.get(field)), template.key() + " text lacks " + field);
            }
            assertTrue(mail.html().contains("Acme"), template.key() + " does not show orgName");
            assertFalse(mail.text().contains("<"), template.key() + " text has markup");
        }
    }

    @Test
    void everyTemplateRendersWithNothingInItsData() {
        for (MailTemplate template : MailTemplate.values()) {
            RenderedMail mail = render(template, Map.of());

            assertTrue(mail.html().contains("PipesHub"), template.key());
            assertFalse(mail.html().contains("href=\"\""), template.key() + " has a button to nowhere");
            assertFalse(mail.text().contains("null") || mail.html().contains("null"), template.key());
        }
    }

    @Test
    void theBrandNamesTheProductAndOrgNameHeadsTheMail() {
        MustacheMailRenderer branded = new MustacheMailRenderer("Acme Cloud");
        Map<String, String> withoutOrg = Map.of("name", "Ann", "otp", "123456");

        RenderedMail mail = branded.render(MailRequest.of("loginWithOTP", List.of("to@example.com"), List.of(), null,
                withoutOrg, List.of()));
        RenderedMail withOrg = render(MailTemplate.LOGIN_WITH_OTP, DATA);

        assertEquals("Your Acme Cloud sign-in code", mail.defaultSubject());
        assertTrue(mail.html().contains(">Acme Cloud</div>"), mail.html());
        assertTrue(withOrg.html().contains(">Acme</div><div style=\"font-size:12px;color:#7b8794;\">Powered by PipesHub"),
                withOrg.html());
        assertTrue(withOrg.text().startsWith("Acme (powered by PipesHub)"), withOrg.text());
    }

    /**
     * The new organisation's mail with the data PipesHub's one caller sends (user_management's
     * org controller): {@code invitee} and {@code name} are fillers, which PipesHub's own mail
     * does not show, and neither does this one.
     */
    @Test
    void theAccountCreationMailReadsAsPipesHubsWithoutItsCallersFillers() {
        RenderedMail mail = render(MailTemplate.ACCOUNT_CREATION, Map.of("invitee", "PipesHub", "name", "User",
                "orgName", "Acme Corp", "link", "https://pipeshub.example.com"));

        assertTrue(mail.text().contains("Hello,\n\nAn account for your organisation Acme Corp has been created on "
                + "PipesHub. Welcome aboard.\n\nSign in here: https://pipeshub.example.com\n"), mail.text());
        assertTrue(mail.html().contains("<p>Hello,</p>\n<p>An account for your organisation <strong>Acme Corp</strong> "
                + "has been created on PipesHub. Welcome aboard.</p>"), mail.html());
        for (String body : List.of(mail.text(), mail.html())) {
            assertFalse(body.contains("User"), body);
            assertFalse(body.contains("on PipesHub by"), body);
        }
    }

    /**
     * The other templates with the data their callers in PipesHub send (its auth module's and
     * user_management's controllers), each read in its plain-text body: every value where it
     * belongs, and nothing missing that leaves a sentence broken.
     */
    @Test
    void everyTemplateReadsRightWithWhatItsCallersInPipesHubSend() {
        String resetLink = "https://pipeshub.example.com/reset-password#token=t1";
        Map<String, String> user = Map.of("orgName", "Acme", "name", "Ann Lee");
        Map<Map.Entry<MailTemplate, Map<String, String>>, List<String>> expected = Map.of(
                Map.entry(MailTemplate.LOGIN_WITH_OTP, with(user, "otp", "482913")),
                List.of("Hello Ann Lee,", "finish signing in to PipesHub:\n\n    482913\n"),
                // A user who has not set a name yet signs in with a code too.
                Map.entry(MailTemplate.LOGIN_WITH_OTP, Map.of("orgName", "Acme", "otp", "482913")),
                List.of("Hello,\n"),
                Map.entry(MailTemplate.SUSPICIOUS_LOGIN_ATTEMPT, user),
                List.of("Hello Ann Lee,", "your PipesHub account, so it is locked for now.", "24 hours"),
                Map.entry(MailTemplate.RESET_PASSWORD, with(user, "link", resetLink)),
                List.of("Hello Ann Lee,", "reset the password of your PipesHub account.", resetLink),
                Map.entry(MailTemplate.RESET_EMAIL, with(user, "link", "https://pipeshub.example.com/reset-email#token=t2")),
                List.of("Hello Ann Lee,", "https://pipeshub.example.com/reset-email#token=t2"),
                // An invitation names the admin who sent it.
                Map.entry(MailTemplate.APP_USER_INVITE, Map.of("invitee", "Ann Lee", "orgName", "Acme", "link", resetLink)),
                List.of("Hello,\n", "Ann Lee invited you to join Acme on PipesHub", resetLink),
                // Its resending names the invited user, who has no name yet: the field is left out.
                Map.entry(MailTemplate.APP_USER_INVITE, Map.of("orgName", "Acme",
                        "link", "https://pipeshub.example.com/sign-in")),
                List.of("You are invited to join Acme on PipesHub", "https://pipeshub.example.com/sign-in"));

        expected.forEach((call, sentences) -> {
            RenderedMail mail = render(call.getKey(), call.getValue());
            assertTrue(mail.text().startsWith("Acme (powered by PipesHub)\n"), mail.text());
            for (String sentence : sentences) {
                assertTrue(mail.text().contains(sentence), call + " lacks '" + sentence + "': " + mail.text());
            }
            assertFalse(mail.text().contains(" ,") || mail.text().contains("  to join"), mail.text());
        });
    }

    private static Map<String, String> with(Map<String, String> data, String field, String value) {
        Map<String, String> more = new HashMap<>(data);
        more.put(field, value);
        return more;
    }

    @Test
    void theOtpMailSaysHowLongTheCodeLasts() {
        assertTrue(render(MailTemplate.LOGIN_WITH_OTP, DATA).text().contains("expires in 10 minutes"));
    }

    @Test
    void valuesAreEscapedInTheHtmlAndLeftAsGivenInTheText() {
        Map<String, String> hostile = new HashMap<>(DATA);
        hostile.put("name", "<script>alert('x')</script>");

        RenderedMail mail = render(MailTemplate.LOGIN_WITH_OTP, hostile);

        assertFalse(mail.html().contains("<script>"), mail.html());
        assertTrue(mail.html().contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"), mail.html());
        assertTrue(mail.text().contains("Hello <script>alert('x')</script>,"), mail.text());
    }

    @Test
    void aQuoteInALinkCannotLeaveItsAttribute() {
        Map<String, String> hostile = new HashMap<>(DATA);
        hostile.put("link", "https://app.example.com/'onmouseover='alert(1)");

        RenderedMail mail = render(MailTemplate.RESET_PASSWORD, hostile);

        assertFalse(mail.html().contains("'onmouseover"), mail.html());
        assertTrue(mail.html().contains("&#39;onmouseover&#61;&#39;alert(1)"), mail.html());
    }

    @Test
    void subjectsAreNotHtmlEscaped() {
        Map<String, String> data = new HashMap<>(DATA);
        data.put("orgName", "Smith & Sons");

        assertEquals("You are invited to join Smith & Sons on PipesHub",
                render(MailTemplate.APP_USER_INVITE, data).defaultSubject());
    }

    @Test
    void aBlankBrandIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new MustacheMailRenderer(" "));
    }

    @Test
    void theTestMailNamesTheServerItWentThroughUnderTheBrand() {
        RenderedMail mail = renderer.renderTestMail("smtp.example.com:587");

        assertEquals("Test mail: the SMTP settings work", mail.defaultSubject());
        assertTrue(mail.text().contains("It was sent through the SMTP server smtp.example.com:587 to check the mail "
                + "settings; no reply is needed."), mail.text());
        assertTrue(mail.html().contains("smtp.example.com:587"), mail.html());
        assertTrue(mail.text().startsWith("PipesHub"), mail.text());
    }
}
