package dev.mailservice.domain;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The fields of a stored configuration document that this service does not know (written by a
 * newer PipesHub, say), carried untouched from where they were read or submitted to where they
 * are written or shown. They are never validated, and their values never printed:
 * {@link #toString()} tells only their names, since any of them may be a secret.
 *
 * @param fields the fields by name, values as the JSON reader gives them (strings, numbers or the
 *               reader's form of a number that must keep its text, booleans, null, lists and maps
 *               of those), in their order
 */
public record OpaqueFields(Map<String, Object> fields) {

    /** No fields. */
    public static final OpaqueFields NONE = new OpaqueFields(Map.of());

    public OpaqueFields {
        fields = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(fields, "fields")));
    }

    /** The fields of {@code document} whose names are not among {@code known}, in the document's order. */
    public static OpaqueFields outside(Map<String, ?> document, List<String> known) {
        Map<String, Object> others = new LinkedHashMap<>();
        document.forEach((name, value) -> {
            if (!known.contains(name)) {
                others.put(name, value);
            }
        });
        return others.isEmpty() ? NONE : new OpaqueFields(others);
    }

    /** {@code known} followed by these fields, in one document; a name in both keeps {@code known}'s value. */
    public Map<String, Object> after(Map<String, Object> known) {
        Map<String, Object> document = new LinkedHashMap<>(known);
        fields.forEach(document::putIfAbsent);
        return document;
    }

    /** The names, never the values. */
    @Override
    public String toString() {
        return "OpaqueFields" + new ArrayList<>(fields.keySet());
    }
}
