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

        String shown = shown("535 5.7.8 Bad login: " + encoded, password);

        assertFalse(shown.contains(encoded), shown);
        assertEquals("535 5.7.8 Bad login: [credentials]", shown);
    }

    @ParameterizedTest
    @ValueSource(strings = {"q7!", "q7!Z", "q7!Zk", "q7!Zk9-Long-Pa55wor"})
    void aPasswordEchoedInBase64WithoutItsPaddingIsNotShown(String password) {
        String unpadded = Base64.getEncoder().withoutPadding().encodeToString(password.getBytes(StandardCharsets.UTF_8));

        String shown = shown("535 5.7.8 Bad login: " + unpadded, password);

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

            String shown = shown("535 5.7.8 Error:authentication failed:" + response + "xyz", password);

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

            String shown = shown("535-5.7.8 Bad login: " + response.substring(0, cutAt) + "\r\n535 5.7.8 "
                    + response.substring(cutAt), password);

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

            String shown = ServerReplies.shown("535 5.7.8 " + response, Optional.of(Password.of(token)),
                    "[access token]");

            assertEquals("535 5.7.8 [credentials]", shown);
        }
    }

    /** An echo in base64 cut off, or split over lines, shows none of the secret that is in it. */
    @Test
    void anEchoCutOffShowsNoneOfTheSecret() {
        String password = "q7!Zk9-Long-Pa55word";
        String plain = base64("\0user@example.com\0" + password);
        String login = base64(password);
        for (String said : List.of("535 5.7.8 Error: authentication failed: " + plain.substring(0, plain.length() - 12),
                "535 5.7.8 Bad login: " + login.substring(0, 20) + "...",
                "535-5.7.8 Bad login: " + login.substring(0, 16) + "\r\n535-5.7.8 (cont) " + login.substring(16))) {
            String shown = shown(said, password);

            assertEquals(List.of(), leaked(shown, password), shown);
        }
    }

    /**
     * A piece of the echo first after the reply code, starting anywhere in a group of four
     * characters: the group it holds only the end of is decoded too.
     */
    @Test
    void aPieceOfAnEchoRightAfterTheReplyCodeShowsNoneOfTheSecret() {
        String password = "hunter2abc";
        String login = base64(password);
        for (int from = 0; from < login.length(); from++) {
            for (int to = from + 6; to <= login.length(); to++) {
                String shown = shown("535 5.7.8 " + login.substring(from, to), password);

                assertEquals(List.of(), leaked(shown, password), shown);
            }
        }
    }

    /** The secret as it is, split over the reply's lines, in pieces too short to be told from other words. */
    @Test
    void aSecretEchoedAsItIsOverTwoLinesIsNotShown() {
        String shown = shown("535-5.7.8 Bad password hunte\r\n535 5.7.8 r2abc", "hunter2abc");

        assertEquals("535-5.7.8 Bad password [password] 535 5.7.8 [password]", shown);
    }

    /**
     * A password that shares a word with the server's reply leaves the reply as it is: hiding the
     * word would tell it is part of the password.
     */
    @Test
    void aPasswordSharingAWordWithTheReplyLeavesTheReplyAsItIs() {
        String gmail = "535-5.7.8 Username and Password not accepted. For more information, go to\r\n"
                + "535 5.7.8  https://support.google.com/mail/?p=BadCredentials d2e1a72fcca58-7e8";

        String shown = shown(gmail, "Password123!");

        assertEquals("535-5.7.8 Username and Password not accepted. For more information, go to 535 5.7.8 "
                + "https://support.google.com/mail/?p=BadCredentials d2e1a72fcca58-7e8", shown);
    }

    /**
     * Angus Mail reads a reply as ISO-8859-1: a password beyond ASCII, echoed as it is, arrives as
     * its UTF-8 bytes read so.
     */
    @Test
    void aPasswordBeyondAsciiEchoedAsItIsIsNotShown() {
        String password = "pässwörd-Geheim";
        String asRead = new String(password.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);

        String shown = shown("535 5.7.8 Wrong password " + asRead, password);

        assertEquals("535 5.7.8 Wrong password [password]", shown);
    }

    /** Found as it is and in base64 at once, neither finding gets in the other's way. */
    @Test
    void aPasswordWhoseBase64BeginsWithItselfIsNotShownInEither() {
        String password = "Vm0wd2Qy";

        String shown = shown("535 " + base64(password), password);

        assertEquals("535 [credentials]", shown);
    }

    @Test
    void aPasswordWithSpacesEchoedWithOtherSpacesIsNotShown() {
        String shown = shown("535 5.7.8 Wrong password correct  horse\tbattery", "correct horse battery");

        assertEquals("535 5.7.8 Wrong password [password]", shown);
    }

    @Test
    void aReplyWithoutTheSecretIsShownOnOneLineAsItIs() {
        String shown = shown("535-5.7.8 Username and Password not accepted.\r\n535 5.7.8 Learn more at"
                + " https://support.example/answer/14257 d9443c01a7336-29", "q7!Zk9-Long-Pa55word");

        assertEquals("535-5.7.8 Username and Password not accepted. 535 5.7.8 Learn more at"
                + " https://support.example/answer/14257 d9443c01a7336-29", shown);
    }

    /** {@code said} as shown, the login's secret being {@code password}. */
    private static String shown(String said, String password) {
        return ServerReplies.shown(said, Optional.of(Password.of(password)), "[password]");
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The parts of the password, {@link ServerReplies#ENCODED_PART} bytes long, that {@code shown}
     * still tells, found by decoding its base64 characters (joined across words) after none to
     * three stand-ins, so from each place a group may start: empty when none is left.
     */
    private static List<String> leaked(String shown, String password) {
        String alphabet = shown.replaceAll("[^A-Za-z0-9+/]", "");
        List<String> leaks = new ArrayList<>();
        for (int standIns = 0; standIns < 4; standIns++) {
            String aligned = "A".repeat(standIns) + alphabet;
            // A group cut short at the end decodes as if padded.
            aligned += "A".repeat((4 - aligned.length() % 4) % 4);
            String decoded = new String(Base64.getDecoder().decode(aligned), StandardCharsets.ISO_8859_1);
            int part = ServerReplies.ENCODED_PART;
            for (int at = 0; at + part <= password.length(); at++) {
                if (decoded.contains(password.substring(at, at + part))) {
                    leaks.add(password.substring(at, at + part) + " after " + standIns);
                }
            }
        }
        return leaks;
    }
}
