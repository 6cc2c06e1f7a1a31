package dev.mailservice.adapters.mail.oauth2;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Makes words that came from a token endpoint (or from an exception about it) fit to show: each
 * secret of one request hidden wherever it stands, in any case and as the form encoded it, control
 * characters turned into spaces, and the whole cut to {@value #MOST} characters. An endpoint may
 * echo what it was sent in its {@code error_description}; what this returns never holds it.
 */
final class SecretMask {

    static final String HIDDEN = "[hidden]";
    static final int MOST = 300;

    private static final Pattern CONTROL = Pattern.compile("[\\p{Cntrl}\\p{Zl}\\p{Zp}]+");
    private static final Pattern PEM_ARMOUR = Pattern.compile("-----[A-Z0-9 ]+-----");

    private final Set<String> secrets = new LinkedHashSet<>();

    /** Hides {@code secret} from now on, as it is and as a form or a Basic header encodes it. */
    SecretMask hide(String secret) {
        if (secret != null && !secret.isEmpty()) {
            secrets.add(secret);
            secrets.add(URLEncoder.encode(secret, StandardCharsets.UTF_8));
            if (secret.contains("-----BEGIN")) { // a PEM key: its base64 too, whichever way its lines break
                String base64 = PEM_ARMOUR.matcher(secret).replaceAll("").replace("\\n", "").replaceAll("\\s", "");
                if (!base64.isEmpty()) {
                    secrets.add(base64);
                }
            }
        }
        return this;
    }

    /** {@code text} with the secrets hidden, without control characters, at most {@value #MOST} characters. */
    String apply(String text) {
        if (text == null) {
            return "";
        }
        String shown = text;
        List<String> longestFirst = new ArrayList<>(secrets);
        longestFirst.sort(Comparator.comparingInt(String::length).reversed());
        for (String secret : longestFirst) {
            shown = Pattern.compile(Pattern.quote(secret), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE)
                    .matcher(shown).replaceAll(Matcher.quoteReplacement(HIDDEN));
        }
        shown = CONTROL.matcher(shown).replaceAll(" ").strip();
        if (shown.length() > MOST) {
            int end = MOST - 1;
            if (Character.isHighSurrogate(shown.charAt(end - 1))) {
                end--;
            }
            shown = shown.substring(0, end) + "…";
        }
        return shown;
    }
}
