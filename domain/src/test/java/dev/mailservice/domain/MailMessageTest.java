package dev.mailservice.domain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class MailMessageTest {

    @Test
    void aMailNeedsARecipient() {
        assertThrows(IllegalArgumentException.class, () -> new MailMessage(List.of(),
                List.of(new EmailAddress("cc@example.com")), "Hello", "<p>Hi</p>", "Hi", List.of()));
    }

    @Test
    void anAttachmentsBytesCannotBeChangedFromOutside() {
        byte[] given = {1, 2, 3};
        MailMessage.Attachment attachment = new MailMessage.Attachment("a.bin", "application/octet-stream", given);

        given[0] = 9;
        attachment.content()[1] = 9;

        assertArrayEquals(new byte[] {1, 2, 3}, attachment.content());
    }
}
