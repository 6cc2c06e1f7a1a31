package dev.mailservice.adapters.http.edge;

import dev.mailservice.adapters.http.answers.HttpError;
import dev.mailservice.application.port.in.StoredVersions;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@code If-Match} as RFC 9110 (section 13.1.1) defines it: {@code *}, or a list of entity
 * tags compared strongly, so a weak tag ({@code W/"…"}) never matches; empty elements of the list
 * are passed over (section 5.6.1.2). Helidon reads the header's lines but not entity tags (only its
 * static content compares them), hence this small parser.
 */
public final class IfMatch {

    /**
     * One entity tag and the comma or end after it: {@code W/} for weak, then the quoted tag; any
     * empty elements (commas with nothing but blanks between them) before it.
     */
    private static final Pattern ENTITY_TAG =
            Pattern.compile("[\\s,]*(W/)?\"([\\x21\\x23-\\x7e\\x80-\\xff]*)\"\\s*(?:,[\\s,]*|$)");

    private IfMatch() {}

    /**
     * The versions {@code request}'s {@code If-Match} allows, or empty without the header.
     *
     * @throws HttpError 400 if the header is neither {@code *} nor a list of entity tags; 409 if it
     *                   names weak tags only, which no version can match
     */
    public static Optional<StoredVersions> of(ServerRequest request) {
        List<String> lines = request.headers().all(HeaderNames.IF_MATCH, List::of);
        if (lines.isEmpty()) {
            return Optional.empty();
        }
        String value = String.join(",", lines).strip();
        if (value.equals("*")) {
            return Optional.of(StoredVersions.any());
        }
        Set<String> strong = new LinkedHashSet<>();
        Matcher tag = ENTITY_TAG.matcher(value);
        int at = 0;
        int tags = 0;
        while (at < value.length() && tag.region(at, value.length()).lookingAt()) {
            if (tag.group(1) == null) {
                strong.add(tag.group(2));
            }
            tags++;
            at = tag.end();
        }
        if (tags == 0 || at != value.length()) {
            throw HttpError.badRequest("If-Match must be * or a list of quoted entity tags, such as the ETag the "
                    + "configuration was read with");
        }
        if (strong.isEmpty()) {
            // Otherwise the save's refusal would name no version read; say why none could match.
            throw HttpError.conflict("If-Match names only weak entity tags, and a weak tag (W/ before its quotes) never "
                    + "matches: send the ETag the configuration was read with, without W/ (a compressing proxy may "
                    + "have added it); nothing was stored");
        }
        return Optional.of(StoredVersions.oneOf(strong));
    }
}
