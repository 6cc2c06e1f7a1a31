package dev.mailservice.domain;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The transactional mails the service can send, by their wire names, with the
 * {@code templateData} fields each one needs. Fields named {@code link} must be http or https
 * URLs: they end up in an {@code href}, where any other scheme (javascript:, data:) is a hazard.
 */
public enum MailTemplate {

    LOGIN_WITH_OTP("loginWithOTP", "name", "otp"),
    RESET_PASSWORD("resetPassword", "name", "link"),
    ACCOUNT_CREATION("accountCreation", "orgName", "link"),
    APP_USER_INVITE("appuserInvite", "invitee", "orgName", "link"),
    SUSPICIOUS_LOGIN_ATTEMPT("suspiciousLoginAttempt", "link");

    /** The field that holds a URL, wherever a template has one. */
    public static final String LINK = "link";

    private final String wireName;
    private final List<String> requiredFields;

    MailTemplate(String wireName, String... requiredFields) {
        this.wireName = wireName;
        this.requiredFields = List.of(requiredFields);
    }

    /** The name clients use, e.g. {@code loginWithOTP}. */
    public String wireName() {
        return wireName;
    }

    /** The {@code templateData} fields this template needs. */
    public List<String> requiredFields() {
        return requiredFields;
    }

    /** The template of that wire name, if there is one. */
    public static Optional<MailTemplate> byWireName(String wireName) {
        return Arrays.stream(values()).filter(template -> template.wireName.equals(wireName)).findFirst();
    }

    /** Every wire name, for messages. */
    public static List<String> wireNames() {
        return Arrays.stream(values()).map(MailTemplate::wireName).toList();
    }
}
