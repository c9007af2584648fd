package com.catalytic.infrastructure.personal;

import com.catalytic.api.personal.PersonalData;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.LinkedHashMap;
import java.util.Map;

/** Shows stored events and entries to people: every sealed value in them opened (or shown as erased). */
public final class OpenedJson {

    private OpenedJson() {
    }

    /** The tree with each sealed string replaced, in place. */
    public static JsonNode open(JsonNode node, PersonalData personalData) {
        if (node instanceof ObjectNode obj) {
            obj.fieldNames().forEachRemaining(name -> {
                JsonNode child = obj.get(name);
                if (child.isTextual() && PersonalData.isSealed(child.textValue())) {
                    obj.set(name, TextNode.valueOf(personalData.open(child.textValue())));
                } else {
                    open(child, personalData);
                }
            });
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                JsonNode child = array.get(i);
                if (child.isTextual() && PersonalData.isSealed(child.textValue())) {
                    array.set(i, TextNode.valueOf(personalData.open(child.textValue())));
                } else {
                    open(child, personalData);
                }
            }
        }
        return node;
    }

    /** A copy of the map with each sealed string value opened. */
    public static Map<String, Object> open(Map<String, ?> values, PersonalData personalData) {
        Map<String, Object> out = new LinkedHashMap<>();
        values.forEach((k, v) -> out.put(k, v instanceof String s ? personalData.open(s) : v));
        return out;
    }
}
