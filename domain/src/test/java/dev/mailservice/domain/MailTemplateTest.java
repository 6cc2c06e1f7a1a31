package dev.mailservice.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MailTemplateTest {

    @Test
    void showsPipesHubsFields() {
        assertEquals(List.of("name", "otp"), MailTemplate.LOGIN_WITH_OTP.fields());
        assertEquals(List.of("orgName", "link"), MailTemplate.ACCOUNT_CREATION.fields());
        assertEquals(List.of("name", "orgName", "verificationLink"), MailTemplate.ORG_EMAIL_VERIFICATION.fields());
    }

    @Test
    void everyLinkFieldIsShownBySomeTemplate() {
        for (String link : MailTemplate.LINK_FIELDS) {
            assertTrue(Arrays.stream(MailTemplate.values()).anyMatch(template -> template.fields().contains(link)), link);
        }
    }

    @Test
    void isFoundByItsKeyOnly() {
        assertEquals(Optional.of(MailTemplate.APP_USER_INVITE), MailTemplate.byKey("appuserInvite"));
        assertEquals(Optional.empty(), MailTemplate.byKey("APP_USER_INVITE"));
        assertEquals(Optional.empty(), MailTemplate.byKey(null));
    }
}
