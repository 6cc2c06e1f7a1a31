package dev.mailservice.adapters.mail;

import dev.mailservice.domain.Password;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What an SMTP server said, made fit to show to a caller or write to the log. */
final class ServerReplies {

    /** What a server may echo of a login in base64: a run of its alphabet long enough to hold a secret. */
    private static final Pattern BASE64_RUN = Pattern.compile("[A-Za-z0-9+/]{8,}={0,2}");
    private static final Pattern LINE_BREAKS = Pattern.compile("\\s*[\\r\\n]+\\s*");

    private ServerReplies() {}

    /**
     * {@code said} on one line, without {@code secret} (the password or the access token sent on
     * the connection) should the server echo it: as it is, shown as {@code name}, or in base64 (as a
     * refusal of a login may echo the client's PLAIN or XOAUTH2 response), shown as {@code [credentials]}.
     */
    static String shown(String said, Optional<Password> secret, String name) {
        String line = LINE_BREAKS.matcher(String.valueOf(said).strip()).replaceAll(" ");
        if (secret.isEmpty()) {
            return line;
        }
        String revealed = secret.get().reveal();
        // The secret's own base64 (AUTH LOGIN sends it alone), however short, with its padding or without
        // (of four characters or more): the run below needs eight characters.
        String encoded = Base64.getEncoder().encodeToString(revealed.getBytes(StandardCharsets.UTF_8));
        String unpadded = encoded.replace("=", "");
        line = line.replace(revealed, name).replace(encoded, "[credentials]");
        if (unpadded.length() >= 4) {
            line = line.replace(unpadded, "[credentials]");
        }
        return BASE64_RUN.matcher(line).replaceAll(run -> {
            try {
                return new String(Base64.getDecoder().decode(run.group()), StandardCharsets.UTF_8).contains(revealed)
                        ? "[credentials]" : Matcher.quoteReplacement(run.group());
            } catch (IllegalArgumentException notBase64) {
                return Matcher.quoteReplacement(run.group());
            }
        });
    }
}
