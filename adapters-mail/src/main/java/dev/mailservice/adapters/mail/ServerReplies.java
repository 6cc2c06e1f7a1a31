package dev.mailservice.adapters.mail;

import dev.mailservice.domain.Password;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What an SMTP server said, made fit to show to a caller or write to the log. */
final class ServerReplies {

    private static final String CREDENTIALS = "[credentials]";
    /** A reply line's own start: its code, then its enhanced status code if it has one. */
    private static final Pattern REPLY_CODE = Pattern.compile("^\\d{3}(?:[ -]|$)(?:\\d\\.\\d{1,3}\\.\\d{1,3}(?: |$))?");
    private static final Pattern LINE_BREAK = Pattern.compile("\\r?\\n|\\r");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    private ServerReplies() {}

    /**
     * {@code said} on one line, without {@code secret} (the password or the access token sent on
     * the connection) should the server echo it: as it is, shown as {@code name}; in base64, the
     * characters holding any of it shown as {@code [credentials]} ({@link #masked}).
     */
    static String shown(String said, Optional<Password> secret, String name) {
        List<String> lines = new ArrayList<>();
        List<Integer> codeLengths = new ArrayList<>();
        for (String line : LINE_BREAK.split(String.valueOf(said).strip())) {
            // The secret as it is first, whitespace and all: were a part of it hidden as base64, the rest would show.
            String plain = secret.map(value -> line.replace(value.reveal(), name)).orElse(line);
            String stripped = WHITESPACE.matcher(plain.strip()).replaceAll(" ");
            if (!stripped.isEmpty()) {
                lines.add(stripped);
                Matcher code = REPLY_CODE.matcher(stripped);
                codeLengths.add(code.lookingAt() ? code.end() : 0);
            }
        }
        String text = String.join(" ", lines);
        if (secret.isEmpty()) {
            return text;
        }
        return masked(text, lines, codeLengths, secret.get().reveal().getBytes(StandardCharsets.UTF_8));
    }

    /** Where {@code sought} occurs in {@code in} from {@code from} on; -1 if nowhere. */
    private static int indexOf(byte[] in, byte[] sought, int from) {
        for (int at = from; at + sought.length <= in.length; at++) {
            if (Arrays.equals(in, at, at + sought.length, sought, 0, sought.length)) {
                return at;
            }
        }
        return -1;
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

    /**
     * {@code text} (the {@code lines} joined by single spaces) with each run of base64 characters
     * that holds a part of {@code secret} in base64 replaced, runs only spaces apart by a single
     * {@code [credentials]}.
     * The text's base64 characters, the reply codes at the lines' starts left out, are decoded from
     * each of the four characters a group may start at, so that the secret is found wherever it
     * falls among the bytes of a login's response (AUTH LOGIN sends it alone; PLAIN and XOAUTH2
     * after the user's name), and however the server echoed it: glued to its own words, cut off,
     * or split over lines. Every character of a group that holds a byte of it is hidden.
     */
    private static String masked(String text, List<String> lines, List<Integer> codeLengths, byte[] secret) {
        StringBuilder alphabet = new StringBuilder();
        List<Integer> positions = new ArrayList<>();
        int lineStart = 0;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            for (int at = codeLengths.get(i); at < line.length(); at++) {
                if (isBase64(line.charAt(at))) {
                    alphabet.append(line.charAt(at));
                    positions.add(lineStart + at);
                }
            }
            lineStart += line.length() + 1;
        }
        boolean[] hidden = new boolean[text.length()];
        for (int start = 0; start < 4; start++) {
            // A last group cut short decodes as if padded: an echo without its padding still shows its bytes.
            int groups = (alphabet.length() - start + 3) / 4;
            byte[] decoded = new byte[Math.max(0, groups) * 3];
            for (int group = 0; group < groups; group++) {
                int bits = 0;
                for (int at = start + group * 4; at < start + group * 4 + 4; at++) {
                    bits = bits << 6 | (at < alphabet.length() ? sixBits(alphabet.charAt(at)) : 0);
                }
                decoded[group * 3] = (byte) (bits >> 16);
                decoded[group * 3 + 1] = (byte) (bits >> 8);
                decoded[group * 3 + 2] = (byte) bits;
            }
            for (int found = indexOf(decoded, secret, 0); found >= 0; found = indexOf(decoded, secret, found + 1)) {
                int end = Math.min(start + ((found + secret.length - 1) / 3 + 1) * 4, alphabet.length());
                for (int at = start + found / 3 * 4; at < end; at++) {
                    hidden[positions.get(at)] = true;
                }
            }
        }
        // Each run of base64 characters holding a hidden one goes whole; runs only spaces apart go as one.
        StringBuilder shown = new StringBuilder();
        int runStart = -1;
        boolean runHidden = false;
        for (int at = 0; at <= text.length(); at++) {
            boolean inRun = at < text.length() && isBase64(text.charAt(at));
            if (inRun) {
                runStart = runStart < 0 ? at : runStart;
                runHidden |= hidden[at];
                continue;
            }
            if (runStart >= 0) {
                if (!runHidden) {
                    shown.append(text, runStart, at);
                } else if (!shown.toString().stripTrailing().endsWith(CREDENTIALS)) {
                    shown.append(CREDENTIALS);
                } else {
                    shown.setLength(shown.toString().stripTrailing().length());
                }
                runStart = -1;
                runHidden = false;
            }
            if (at < text.length()) {
                shown.append(text.charAt(at));
            }
        }
        return shown.toString();
    }
}
