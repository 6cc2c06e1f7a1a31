package dev.mailservice.adapters.mail;

import dev.mailservice.domain.Password;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an SMTP server said, made fit to show to a caller or write to the log: without the secret
 * sent on the connection, should the server echo it.
 *
 * <p>The secret is looked for as it is and in base64, in every form a reply may hold it. AUTH
 * LOGIN sends it alone in base64; PLAIN and XOAUTH2 after the user's name, so that it falls
 * anywhere in a group of three bytes; a server may echo what it was sent glued to its own words,
 * cut off, or split over the lines of its reply, which are looked through as one, their reply
 * codes left out. Angus Mail reads replies as ISO-8859-1, so a secret beyond ASCII echoed as it is
 * arrives as its UTF-8 bytes read so. As it is, the whole secret is hidden: a part of it matching
 * the server's own words (a password holding "Password") would otherwise be hidden in every reply,
 * and so told. In base64, {@value #ENCODED_PART} bytes of it in a row are hidden, so that an echo
 * cut off shows next to none of what it holds; fewer could be the bytes of an ordinary word at
 * some alignment (a shorter secret is looked for whole, and may hide much else).
 */
final class ServerReplies {

    private static final String CREDENTIALS = "[credentials]";
    /** The bytes of the secret, in a row, that are hidden where the reply holds them in base64. */
    static final int ENCODED_PART = 4;
    /** A reply line's own start: its code, then its enhanced status code if it has one. */
    private static final Pattern REPLY_CODE = Pattern.compile("^\\d{3}(?:[ -]|$)(?:\\d\\.\\d{1,3}\\.\\d{1,3}(?: |$))?");
    private static final Pattern LINE_BREAK = Pattern.compile("\\r?\\n|\\r");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    private ServerReplies() {}

    /**
     * {@code said} on one line (its whitespace made single spaces), without {@code secret} (the
     * password or the access token sent on the connection): where it holds the secret as it is, it
     * is shown as {@code name}; where in base64, the run of base64 characters holding a part of it
     * is shown as {@code [credentials]}.
     */
    static String shown(String said, Optional<Password> secret, String name) {
        List<String> lines = new ArrayList<>();
        for (String line : LINE_BREAK.split(String.valueOf(said).strip())) {
            String single = WHITESPACE.matcher(line.strip()).replaceAll(" ");
            if (!single.isEmpty()) {
                lines.add(single);
            }
        }
        String text = String.join(" ", lines);
        if (secret.isEmpty()) {
            return text;
        }
        boolean[] plain = new boolean[text.length()];
        String asSent = WHITESPACE.matcher(secret.get().reveal().strip()).replaceAll(" ");
        Projection all = Projection.of(lines, character -> true);
        all.markEach(asSent, plain);
        all.markEach(new String(asSent.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1), plain);
        boolean[] encoded = encodedMarks(text.length(), lines, secret.get().reveal().getBytes(StandardCharsets.UTF_8));
        return rewritten(text, plain, encoded, name);
    }

    /**
     * The characters of a reply's {@code lines} that a filter keeps, in a row, the reply codes at
     * the lines' starts left out, with where each stands in the lines joined by single spaces
     * ({@code -1} for none: a stand-in put before them).
     */
    private record Projection(StringBuilder characters, List<Integer> positions) {

        static Projection of(List<String> lines, Predicate<Character> kept) {
            Projection projection = new Projection(new StringBuilder(), new ArrayList<>());
            int lineStart = 0;
            for (String line : lines) {
                Matcher code = REPLY_CODE.matcher(line);
                for (int at = code.lookingAt() ? code.end() : 0; at < line.length(); at++) {
                    if (kept.test(line.charAt(at))) {
                        projection.characters.append(line.charAt(at));
                        projection.positions.add(lineStart + at);
                    }
                }
                lineStart += line.length() + 1;
            }
            return projection;
        }

        /** Marks in {@code marks} the characters from {@code from} to before {@code to}, stand-ins left out. */
        void mark(int from, int to, boolean[] marks) {
            for (int at = from; at < to; at++) {
                if (positions.get(at) >= 0) {
                    marks[positions.get(at)] = true;
                }
            }
        }

        /** Marks in {@code marks} every occurrence of {@code sought}. */
        void markEach(String sought, boolean[] marks) {
            if (sought.isEmpty()) {
                return;
            }
            for (int found = characters.indexOf(sought); found >= 0; found = characters.indexOf(sought, found + 1)) {
                mark(found, found + sought.length(), marks);
            }
        }
    }

    /**
     * Where the {@code lines} joined by single spaces ({@code textLength} characters) hold
     * {@code secret} in base64, whole or {@link #ENCODED_PART} bytes of it in a row at least: every
     * character of a group of four that encodes such bytes. The reply's base64 characters are decoded in a row, from each of
     * the four characters a group may start at, three stand-ins put before them so that a group the
     * text holds only the end of is decoded too.
     */
    private static boolean[] encodedMarks(int textLength, List<String> lines, byte[] secret) {
        Projection alphabet = Projection.of(lines, ServerReplies::isBase64);
        alphabet.characters().insert(0, "AAA");
        alphabet.positions().addAll(0, List.of(-1, -1, -1));
        int part = Math.min(secret.length, ENCODED_PART);
        Set<String> parts = new HashSet<>();
        for (int from = 0; from + part <= secret.length; from++) {
            parts.add(new String(secret, from, part, StandardCharsets.ISO_8859_1));
        }
        boolean[] marks = new boolean[textLength];
        for (int start = 0; start < 4; start++) {
            // A last group cut short decodes as if padded: an echo without its padding still shows its bytes.
            String decoded = decoded(alphabet.characters(), start);
            for (int at = 0; at + part <= decoded.length(); at++) {
                if (parts.contains(decoded.substring(at, at + part))) {
                    alphabet.mark(start + at / 3 * 4,
                            Math.min(start + ((at + part - 1) / 3 + 1) * 4, alphabet.characters().length()), marks);
                }
            }
        }
        return marks;
    }

    /** The bytes {@code alphabet} encodes from its character {@code start} on, one char for each byte. */
    private static String decoded(CharSequence alphabet, int start) {
        StringBuilder bytes = new StringBuilder();
        for (int group = start; group < alphabet.length(); group += 4) {
            int bits = 0;
            for (int at = group; at < group + 4; at++) {
                bits = bits << 6 | (at < alphabet.length() ? sixBits(alphabet.charAt(at)) : 0);
            }
            bytes.append((char) (bits >> 16 & 0xff)).append((char) (bits >> 8 & 0xff)).append((char) (bits & 0xff));
        }
        return bytes.toString();
    }

    /**
     * {@code text} with each run of base64 characters that holds an {@code encoded} mark shown as
     * {@code [credentials]} (runs only spaces apart as one), and each stretch of {@code plain} marks
     * elsewhere shown as {@code name}.
     */
    private static String rewritten(String text, boolean[] plain, boolean[] encoded, String name) {
        StringBuilder shown = new StringBuilder();
        int credentialsEnd = -1;
        int at = 0;
        while (at < text.length()) {
            int runEnd = at;
            boolean hidden = false;
            while (runEnd < text.length() && isBase64(text.charAt(runEnd))) {
                hidden |= encoded[runEnd++];
            }
            if (hidden) {
                if (credentialsEnd >= 0 && shown.substring(credentialsEnd).isBlank()) {
                    shown.setLength(credentialsEnd);
                } else {
                    shown.append(CREDENTIALS);
                    credentialsEnd = shown.length();
                }
                at = runEnd;
                continue;
            }
            for (int end = Math.max(runEnd, at + 1); at < end; at++) {
                if (!plain[at]) {
                    shown.append(text.charAt(at));
                } else if (at == 0 || !plain[at - 1]) {
                    shown.append(name);
                }
            }
        }
        return shown.toString();
    }

    /** The six bits a base64 character stands for; padding, and any other character, for none. */
    private static int sixBits(char c) {
        return c >= 'A' && c <= 'Z' ? c - 'A'
                : c >= 'a' && c <= 'z' ? c - 'a' + 26
                : c >= '0' && c <= '9' ? c - '0' + 52
                : c == '+' ? 62 : c == '/' ? 63 : 0;
    }

    /** A character of base64's alphabet, or its padding. */
    private static boolean isBase64(char c) {
        return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '=';
    }
}
