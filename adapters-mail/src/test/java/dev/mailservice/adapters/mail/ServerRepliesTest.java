package dev.mailservice.adapters.mail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.mailservice.domain.Password;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
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
}
