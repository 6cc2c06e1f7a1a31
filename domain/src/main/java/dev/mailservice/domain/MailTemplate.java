package dev.mailservice.domain;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The transactional mails the service sends, by their keys (PipesHub's names for them), with the
 * {@code templateData} fields each one shows. As in PipesHub, every field is optional: one the
 * caller leaves out shows empty, and the mail is sent. Every template also shows {@code orgName}
 * in its heading when given.
 */
public enum MailTemplate {

    LOGIN_WITH_OTP("loginWithOTP", "name", "otp"),
    SUSPICIOUS_LOGIN_ATTEMPT("suspiciousLoginAttempt", "name", "link"),
    RESET_PASSWORD("resetPassword", "name", "link"),
    RESET_EMAIL("resetEmail", "name", "link"),
    /**
     * Neither {@code name} nor {@code invitee}: PipesHub's one caller sends them as fillers
     * ({@code "User"}, {@code "PipesHub"}), and PipesHub's own mail shows neither.
     */
    ACCOUNT_CREATION("accountCreation", "orgName", "link"),
    APP_USER_INVITE("appuserInvite", "invitee", "orgName", "link"),
    ORG_EMAIL_VERIFICATION("orgEmailVerification", "name", "orgName", "verificationLink");

    /** The field every template shows in its heading, when given. */
    public static final String ORG_NAME = "orgName";

    /**
     * The fields that hold a URL. They end up in an {@code href}, where any other scheme
     * ({@code javascript:}, {@code data:}) is a hazard, so a value given there must be an http or
     * https URL.
     */
    public static final List<String> LINK_FIELDS = List.of("link", "verificationLink");

    private final String key;
    private final List<String> fields;

    MailTemplate(String key, String... fields) {
        this.key = key;
        this.fields = List.of(fields);
    }

    /** The name clients use, e.g. {@code loginWithOTP}. */
    public String key() {
        return key;
    }

    /** The {@code templateData} fields this template shows besides {@link #ORG_NAME}. */
    public List<String> fields() {
        return fields;
    }

    /** The template of that key, if there is one. */
    public static Optional<MailTemplate> byKey(String key) {
        return Arrays.stream(values()).filter(template -> template.key.equals(key)).findFirst();
    }

    /** Every key, for messages. */
    public static List<String> keys() {
        return Arrays.stream(values()).map(MailTemplate::key).toList();
    }
}
