package dev.mailservice.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StrictJsonTest {

    private static String refusalOf(String json) {
        return assertThrows(StrictJson.NotAJsonObjectException.class, () -> StrictJson.readObject(
                new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), "The document")).getMessage();
    }

    @Test
    void aMalformedDocumentIsDescribedByLineAndColumnAloneNeverByItsText() {
        assertEquals("The document is not valid JSON (line 2, column 14)", refusalOf("{\"host\": \"a\",\n \"password\": Secr3t}"));
    }

    @Test
    void refusesWhatIsAmbiguousOrNotAnObject() {
        assertEquals("The document is not valid JSON (line 1, column 19)", refusalOf("{\"port\": 1, \"port\": 2}"));
        assertEquals("The document is not valid JSON (line 1, column 4)", refusalOf("{} {}"));
        assertEquals("The document must be a JSON object, found array", refusalOf("[1]"));
        assertEquals("The document is empty: expected a JSON object", refusalOf(""));
    }
}
