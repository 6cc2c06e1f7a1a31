package dev.mailservice.adapters.mail;

import dev.mailservice.domain.Password;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an SMTP server said, made fit to show to a caller or write to the log: without the secret
 * sent on the connection, should the server echo it, even in part.
 *
 * <p>The secret is looked for as it is and in base64, in every form a reply may hold it. AUTH
 * LOGIN sends it alone in base64; PLAIN and XOAUTH2 after the user's name, so that it falls
 * anywhere in a group of three bytes; a server may echo what it was sent glued to its own words,
 * cut off, or split over the lines of its reply. Angus Mail reads replies as ISO-8859-1, so a secret
 * beyond ASCII echoed as it is arrives as its UTF-8 bytes read so. A part of it is hidden once it
 * is long enough not to be an ordinary word by chance: {@value #PLAIN_PART} characters as it is, or
 * {@value #ENCODED_PART} bytes in base64 (a shorter secret, whole); a secret shorter than that has
 * every occurrence hidden, whatever else it hides.
 */
final class ServerReplies {

    private static final String CREDENTIALS = "[credentials]";
    /** The characters of the secret, in a row, that are hidden where the reply holds them as they are. */
    static final int PLAIN_PART = 6;
    /** The bytes of the secret, in a row, that are hidden where the reply holds them in base64. */
    static final int ENCODED_PART = 3;
    /** A reply line's own start: its code, then its enhanced status code if it has one. */
    private static final Pattern REPLY_CODE = Pattern.compile("^\\d{3}(?:[ -]|$)(?:\\d\\.\\d{1,3}\\.\\d{1,3}(?: |$))?");
    private static final Pattern LINE_BREAK = Pattern.compile("\\r?\\n|\\r");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    private ServerReplies() {}

    /**
     * {@code said} on one line (its whitespace made single spaces), without {@code secret} (the
     * password or the access token sent on the connection): where it holds the secret as it is, that
     * part is shown as {@code name}; where in base64, the run of base64 characters holding it is
     * shown as {@code [credentials]}.
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
        byte[] bytes = secret.get().reveal().getBytes(StandardCharsets.UTF_8);
        boolean[] plain = new boolean[text.length()];
        String asSent = WHITESPACE.matcher(secret.get().reveal().strip()).replaceAll(" ");
        markPlain(text, asSent, plain);
        markPlain(text, new String(asSent.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1), plain);
        return rewritten(text, plain, encodedMarks(text, lines, bytes), name);
    }

    /**
     * Marks in {@code marks} where {@code text} holds {@code secret} as it is, whole or
     * {@link #PLAIN_PART} characters of it in a row at least: each run as long as it goes on.
     */
    private static void markPlain(String text, String secret, boolean[] marks) {
        int least = Math.min(secret.length(), PLAIN_PART);
        if (least == 0) {
            return;
        }
        Set<String> parts = new HashSet<>();
        for (int from = 0; from + least <= secret.length(); from++) {
            parts.add(secret.substring(from, from + least));
        }
        for (int at = 0; at + least <= text.length(); at++) {
            if (!parts.contains(text.substring(at, at + least))) {
                continue;
            }
            // Marked to where the secret's longest run from here ends; the runs after it overlap it.
            int longest = least;
            for (int from = secret.indexOf(text.substring(at, at + least)); from >= 0;
                    from = secret.indexOf(text.substring(at, at + least), from + 1)) {
                int length = least;
                while (at + length < text.length() && from + length < secret.length()
                        && text.charAt(at + length) == secret.charAt(from + length)) {
                    length++;
                }
                longest = Math.max(longest, length);
            }
            for (int marked = at; marked < at + longest; marked++) {
                marks[marked] = true;
            }
        }
    }

    /**
     * Where {@code text} (the {@code lines} joined by single spaces) holds {@code secret} in base64,
     * whole or {@link #ENCODED_PART} bytes of it in a row at least: every character of a group of
     * four that encodes such bytes. The text's base64 characters, the reply codes at the lines'
     * starts left out, are decoded from each of the four characters a group may start at, so that
     * the secret is found wherever it falls among the bytes a login sent, glued to other
     * characters, or split over lines.
     */
    private static boolean[] encodedMarks(String text, List<String> lines, byte[] secret) {
        StringBuilder alphabet = new StringBuilder();
        List<Integer> positions = new ArrayList<>();
        int lineStart = 0;
        for (String line : lines) {
            Matcher code = REPLY_CODE.matcher(line);
            for (int at = code.lookingAt() ? code.end() : 0; at < line.length(); at++) {
                if (isBase64(line.charAt(at))) {
                    alphabet.append(line.charAt(at));
                    positions.add(lineStart + at);
                }
            }
            lineStart += line.length() + 1;
        }
        int part = Math.min(secret.length, ENCODED_PART);
        Set<String> parts = new HashSet<>();
        for (int from = 0; from + part <= secret.length; from++) {
            parts.add(new String(secret, from, part, StandardCharsets.ISO_8859_1));
        }
        boolean[] marks = new boolean[text.length()];
        for (int start = 0; start < 4; start++) {
            // A last group cut short decodes as if padded: an echo without its padding still shows its bytes.
            String decoded = decoded(alphabet, start);
            for (int at = 0; at + part <= decoded.length(); at++) {
                if (parts.contains(decoded.substring(at, at + part))) {
                    int end = Math.min(start + ((at + part - 1) / 3 + 1) * 4, alphabet.length());
                    for (int character = start + at / 3 * 4; character < end; character++) {
                        marks[positions.get(character)] = true;
                    }
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
                } else if (at == 0 || !plain[at - 1] || shown.isEmpty()) {
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
