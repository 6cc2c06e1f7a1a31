package dev.mailservice.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OpaqueFieldsTest {

    private static final List<String> KNOWN = List.of("host", "port");

    private static Map<String, Object> document(Object... namesAndValues) {
        Map<String, Object> document = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            document.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return document;
    }

    @Test
    void keepsTheFieldsOutsideTheKnownOnesInTheDocumentsOrder() {
        OpaqueFields others = OpaqueFields.outside(
                document("zone", "eu", "host", "smtp.example.com", "apiKey", "k-123", "port", 25, "limits", List.of(1)),
                KNOWN);

        assertEquals(List.of("zone", "apiKey", "limits"), List.copyOf(others.fields().keySet()));
        assertEquals("k-123", others.fields().get("apiKey"));
    }

    @Test
    void aDocumentOfKnownFieldsAloneHasNone() {
        assertSame(OpaqueFields.NONE, OpaqueFields.outside(document("host", "smtp.example.com", "port", 25), KNOWN));
    }

    @Test
    void areWrittenAfterTheKnownFieldsWhichKeepTheirValues() {
        OpaqueFields others = new OpaqueFields(document("zone", "eu", "port", 2525));

        Map<String, Object> written = others.after(document("host", "smtp.example.com", "port", 25));

        assertEquals(document("host", "smtp.example.com", "port", 25, "zone", "eu"), written);
        assertEquals(List.of("host", "port", "zone"), List.copyOf(written.keySet()));
    }

    @Test
    void printTheirNamesButNeverTheirValues() {
        OpaqueFields others = new OpaqueFields(document("zone", "eu", "apiKey", "k-123"));

        assertEquals("OpaqueFields[zone, apiKey]", others.toString());
        assertFalse(others.toString().contains("k-123"));
    }
}
