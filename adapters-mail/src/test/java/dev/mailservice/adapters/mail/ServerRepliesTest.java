package dev.mailservice.adapters.mail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mailservice.domain.Password;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A server's reply made fit to show: the secret of the login gone, however it was echoed. */
class ServerRepliesTest {

    /** AUTH LOGIN sends the password alone in base64: a server may echo it, whatever its length. */
    @ParameterizedTest
    @ValueSource(strings = {"q", "q7", "q7!", "q7!Z", "q7!Zk", "q7!Zk9", "q7!Zk9-Long-Pa55word"})
    void aPasswordEchoedInBase64IsNotShownWhateverItsLength(String password) {
        String encoded = Base64.getEncoder().encodeToString(password.getBytes(StandardCharsets.UTF_8));

        String shown = ServerReplies.shown("535 5.7.8 Bad login: " + encoded,
                Optional.of(Password.of(password)), "[password]");

        assertFalse(shown.contains(encoded), shown);
        assertEquals("535 5.7.8 Bad login: [credentials]", shown);
    }

    @ParameterizedTest
    @ValueSource(strings = {"q7!", "q7!Z", "q7!Zk", "q7!Zk9-Long-Pa55wor"})
    void aPasswordEchoedInBase64WithoutItsPaddingIsNotShown(String password) {
        String unpadded = Base64.getEncoder().withoutPadding().encodeToString(password.getBytes(StandardCharsets.UTF_8));

        String shown = ServerReplies.shown("535 5.7.8 Bad login: " + unpadded, Optional.of(Password.of(password)),
                "[password]");

        assertEquals("535 5.7.8 Bad login: [credentials]", shown);
    }

    /**
     * PLAIN's response is the user's names and the password, NUL between them, in one base64
     * string: the password's bytes fall anywhere in its groups of three, as the names' lengths
     * make them. Echoed glued to the server's own words, the string decodes only misaligned.
     */
    @ParameterizedTest
    @ValueSource(strings = {"", "u", "us", "use", "user", "users"})
    void aPlainResponseEchoedGluedToOtherCharactersIsNotShown(String user) {
        for (String password : List.of("q7!", "q7!Z", "q7!Zk", "q7!Zk9-Long-Pa55word")) {
            String response = base64("\0" + user + "\0" + password);

            String shown = ServerReplies.shown("535 5.7.8 Error:authentication failed:" + response + "xyz",
                    Optional.of(Password.of(password)), "[password]");

            assertEquals("535 5.7.8 Error:authentication failed:[credentials]", shown, "the password " + password);
        }
    }

    /**
     * A server may echo the response over its reply's lines, cut anywhere, even at a group's edge;
     * the user's names of three lengths put the password at each place in a group of three bytes.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 4, 8, 12, 13, 16, 20, 23})
    void aResponseEchoedOverTwoLinesIsNotShown(int cutAt) {
        String password = "q7!Zk9-Long-Pa55word";
        for (String user : List.of("a@b.example", "ab@b.example", "abc@b.example")) {
            String response = base64("\0" + user + "\0" + password);

            String shown = ServerReplies.shown("535-5.7.8 Bad login: " + response.substring(0, cutAt) + "\r\n535 5.7.8 "
                    + response.substring(cutAt), Optional.of(Password.of(password)), "[password]");

            assertEquals(List.of(), leaked(shown, password), shown);
            assertTrue(shown.startsWith("535-5.7.8 Bad login: "), shown);
        }
    }

    /** XOAUTH2's response holds the access token after the user's address, at any alignment. */
    @Test
    void anAccessTokenEchoedInsideItsResponseIsNotShown() {
        String token = "ya29.a0AfH6SMB-token_value";
        for (String user : List.of("a@b.example", "ab@b.example", "abc@b.example")) {
            String response = base64("user=" + user + "\u0001auth=Bearer " + token + "\u0001\u0001");

            String shown = ServerReplies.shown("535 5.7.8 " + response, Optional.of(Password.of(token)), "[access token]");

            assertEquals("535 5.7.8 [credentials]", shown);
        }
    }

    /** An echo cut off, in base64 or as it is, shows none of the secret that is in it. */
    @Test
    void anEchoCutOffShowsNoneOfTheSecret() {
        String password = "q7!Zk9-Long-Pa55word";
        String plain = base64("\0user@example.com\0" + password);
        String login = base64(password);
        for (String said : List.of("535 5.7.8 Error: authentication failed: " + plain.substring(0, plain.length() - 12),
                "535 5.7.8 Bad login: " + login.substring(0, 20) + "...",
                "535-5.7.8 Bad login: " + login.substring(0, 16) + "\r\n535-5.7.8 (cont) " + login.substring(16),
                "535 5.7.8 Refused '" + password.substring(0, 10) + "...'",
                "535-5.7.8 Refused " + password.substring(0, 11) + "\r\n535 5.7.8 " + password.substring(11))) {
            String shown = ServerReplies.shown(said, Optional.of(Password.of(password)), "[password]");

            assertEquals(List.of(), leaked(shown, password), shown);
            assertEquals(List.of(), plainParts(shown.replace("[password]", ""), password), shown);
        }
    }

    /**
     * Angus Mail reads a reply as ISO-8859-1: a password beyond ASCII, echoed as it is, arrives as
     * its UTF-8 bytes read so.
     */
    @Test
    void aPasswordBeyondAsciiEchoedAsItIsIsNotShown() {
        String password = "pässwörd-Geheim";
        String asRead = new String(password.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);

        String shown = ServerReplies.shown("535 5.7.8 Wrong password " + asRead, Optional.of(Password.of(password)),
                "[password]");

        assertEquals("535 5.7.8 Wrong password [password]", shown);
    }

    /** Found as it is and in base64 at once, neither finding gets in the other's way. */
    @Test
    void aPasswordWhoseBase64BeginsWithItselfIsNotShownInEither() {
        String password = "Vm0wd2Qy";

        String shown = ServerReplies.shown("535 " + base64(password), Optional.of(Password.of(password)), "[password]");

        assertEquals("535 [credentials]", shown);
    }

    @Test
    void aPasswordWithSpacesEchoedWithOtherSpacesIsNotShown() {
        String shown = ServerReplies.shown("535 5.7.8 Wrong password correct  horse\tbattery",
                Optional.of(Password.of("correct horse battery")), "[password]");

        assertEquals("535 5.7.8 Wrong password [password]", shown);
    }

    @Test
    void aReplyWithoutTheSecretIsShownOnOneLineAsItIs() {
        String shown = ServerReplies.shown("535-5.7.8 Username and Password not accepted.\r\n535 5.7.8 Learn more at"
                + " https://support.example/answer/14257 d9443c01a7336-29",
                Optional.of(Password.of("q7!Zk9-Long-Pa55word")), "[password]");

        assertEquals("535-5.7.8 Username and Password not accepted. 535 5.7.8 Learn more at"
                + " https://support.example/answer/14257 d9443c01a7336-29", shown);
    }

    /** The parts of {@code password} four characters long that {@code shown} holds as they are. */
    private static List<String> plainParts(String shown, String password) {
        List<String> parts = new ArrayList<>();
        for (int at = 0; at + 4 <= password.length(); at++) {
            if (shown.contains(password.substring(at, at + 4))) {
                parts.add(password.substring(at, at + 4));
            }
        }
        return parts;
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The password's bytes that {@code shown} still tells, found by decoding its base64 characters
     * (joined across words) at each of the four places a group may start: empty when none is left.
     */
    private static List<String> leaked(String shown, String password) {
        String alphabet = shown.replaceAll("[^A-Za-z0-9+/]", "");
        List<String> leaks = new ArrayList<>();
        for (int start = 0; start < 4; start++) {
            String aligned = alphabet.substring(Math.min(start, alphabet.length()));
            aligned = aligned.substring(0, aligned.length() / 4 * 4);
            String decoded = new String(Base64.getDecoder().decode(aligned), StandardCharsets.ISO_8859_1);
            // Two bytes of it side by side are already too many.
            for (int at = 0; at + 2 <= password.length(); at++) {
                if (decoded.contains(password.substring(at, at + 2))) {
                    leaks.add(password.substring(at, at + 2) + " at " + start);
                }
            }
        }
        return leaks;
    }
}
