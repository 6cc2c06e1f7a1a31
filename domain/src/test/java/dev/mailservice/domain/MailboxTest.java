package dev.mailservice.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MailboxTest {

    @Test
    void readsABareAddress() {
        Mailbox mailbox = Mailbox.parse(" noreply@acme.test ");

        assertEquals(Optional.empty(), mailbox.displayName());
        assertEquals("noreply@acme.test", mailbox.value());
    }

    @Test
    void readsANameAndAnAddress() {
        Mailbox mailbox = Mailbox.parse("Acme Support <support@acme.test>");

        assertEquals(Optional.of("Acme Support"), mailbox.displayName());
        assertEquals(new EmailAddress("support@acme.test"), mailbox.address());
        assertEquals("Acme Support <support@acme.test>", mailbox.value());
    }

    @Test
    void readsAQuotedNameAndWritesItQuotedWhereItMustBe() {
        Mailbox mailbox = Mailbox.parse("\"Acme, \\\"the\\\" Inc.\" <noreply@acme.test>");

        assertEquals(Optional.of("Acme, \"the\" Inc."), mailbox.displayName());
        assertEquals("\"Acme, \\\"the\\\" Inc.\" <noreply@acme.test>", mailbox.value());
        assertEquals(mailbox, Mailbox.parse(mailbox.value()));
    }

    @Test
    void anEmptyNameIsNoName() {
        assertEquals("noreply@acme.test", Mailbox.parse("<noreply@acme.test>").value());
        assertEquals("noreply@acme.test", Mailbox.parse("\"\" <noreply@acme.test>").value());
    }

    @Test
    void printsAsItIsStored() {
        assertEquals("\"Acme, Inc.\" <noreply@acme.test>", Mailbox.parse("Acme, Inc. <noreply@acme.test>").toString());
        assertEquals("noreply@acme.test", Mailbox.parse("noreply@acme.test").toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Acme", "Acme <>", "Acme <not an address>", "Acme <a@b.test> trailing",
            "Ac\u0000me <a@b.test>", "Acme\r\nBcc: x@y.test <a@b.test>"})
    void refusesWhatIsNotAMailbox(String text) {
        assertThrows(IllegalArgumentException.class, () -> Mailbox.parse(text));
    }
}
