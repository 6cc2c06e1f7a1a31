package dev.mailservice.adapters.mail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
            "invitee", "Bob", "link", "https://app.example.com/go?token=a&b=c");

    private final MustacheMailRenderer renderer = new MustacheMailRenderer();

    private RenderedMail render(MailTemplate template, Map<String, String> data, String productName) {
        return renderer.render(MailRequest.of(template.wireName(), List.of("to@example.com"), List.of(), null,
                productName, data, List.of()));
    }

    @Test
    void everyTemplateRendersItsDataInBothBodiesAndHasASubject() {
        for (MailTemplate template : MailTemplate.values()) {
            RenderedMail mail = render(template, DATA, null);

            assertFalse(mail.defaultSubject().isBlank(), template.wireName());
            assertTrue(mail.html().startsWith("<!DOCTYPE html>"), template.wireName());
            for (String field : template.requiredFields()) {
                String shown = field.equals("link") ? "https://app.example.com/go?token&#61;a&amp;b&#61;c" : DATA.get(field);
                assertTrue(mail.html().contains(shown), template.wireName() + " html lacks " + field);
                assertTrue(mail.text().contains(DATA.get(field)), template.wireName() + " text lacks " + field);
            }
            assertFalse(mail.text().contains("<"), template.wireName() + " text has markup");
        }
    }

    @Test
    void valuesAreEscapedInTheHtmlAndLeftAsGivenInTheText() {
        Map<String, String> hostile = new HashMap<>(DATA);
        hostile.put("name", "<script>alert('x')</script>");

        RenderedMail mail = render(MailTemplate.LOGIN_WITH_OTP, hostile, null);

        assertFalse(mail.html().contains("<script>"), mail.html());
        assertTrue(mail.html().contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"), mail.html());
        assertTrue(mail.text().contains("Hello <script>alert('x')</script>,"), mail.text());
    }

    @Test
    void aQuoteInALinkCannotLeaveItsAttribute() {
        Map<String, String> hostile = new HashMap<>(DATA);
        hostile.put("link", "https://app.example.com/'onmouseover='alert(1)");

        RenderedMail mail = render(MailTemplate.RESET_PASSWORD, hostile, null);

        assertFalse(mail.html().contains("'onmouseover"), mail.html());
        assertTrue(mail.html().contains("&#39;onmouseover&#61;&#39;alert(1)"), mail.html());
    }

    @Test
    void theProductNameBrandsTheMailAndDefaultsToPipesHub() {
        assertEquals("Your Acme Cloud sign-in code", render(MailTemplate.LOGIN_WITH_OTP, DATA, "Acme Cloud").defaultSubject());
        assertEquals("Your PipesHub sign-in code", render(MailTemplate.LOGIN_WITH_OTP, DATA, null).defaultSubject());
        assertTrue(render(MailTemplate.LOGIN_WITH_OTP, DATA, "Acme Cloud").html().contains("Acme Cloud"));
    }

    @Test
    void subjectsAreNotHtmlEscaped() {
        Map<String, String> data = new HashMap<>(DATA);
        data.put("orgName", "Smith & Sons");

        assertEquals("Bob invited you to join Smith & Sons on PipesHub",
                render(MailTemplate.APP_USER_INVITE, data, null).defaultSubject());
    }
}
