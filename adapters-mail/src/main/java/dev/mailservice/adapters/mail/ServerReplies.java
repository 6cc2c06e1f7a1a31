package dev.mailservice.adapters.mail;

import dev.mailservice.domain.Password;
import dev.mailservice.domain.SmtpConfiguration;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What an SMTP server said, made fit to show to a caller or write to the log. */
final class ServerReplies {

    /** What a server may echo of a login in base64: a run of its alphabet long enough to hold a password. */
    private static final Pattern BASE64_RUN = Pattern.compile("[A-Za-z0-9+/]{8,}={0,2}");
    private static final Pattern LINE_BREAKS = Pattern.compile("\\s*[\\r\\n]+\\s*");

    private ServerReplies() {}

    /**
     * {@code said} on one line, without {@code configuration}'s password should the server echo
     * it, as it is or in base64 (as a refusal of a login may).
     */
    static String shown(String said, SmtpConfiguration configuration) {
        String line = LINE_BREAKS.matcher(String.valueOf(said).strip()).replaceAll(" ");
        Optional<String> password = configuration.password().map(Password::reveal);
        if (password.isEmpty()) {
            return line;
        }
        String secret = password.get();
        return BASE64_RUN.matcher(line.replace(secret, "[password]")).replaceAll(run -> {
            try {
                return new String(Base64.getDecoder().decode(run.group()), StandardCharsets.UTF_8).contains(secret)
                        ? "[credentials]" : Matcher.quoteReplacement(run.group());
            } catch (IllegalArgumentException notBase64) {
                return Matcher.quoteReplacement(run.group());
            }
        });
    }
}
