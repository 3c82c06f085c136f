package io.github.consulservlet.simulator;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

/**
 * The part of Consul's filter expressions (https://developer.hashicorp.com/consul/api-docs/features/filtering)
 * the simulator evaluates over an entry's JSON, as the agent evaluates it over the same fields:
 * {@code and}, {@code or}, {@code not}, parentheses, {@code ==}, {@code !=}, {@code in},
 * {@code not in}, {@code contains}, {@code not contains}, {@code is empty}, {@code is not empty};
 * selectors are dotted paths ({@code Service.Meta.version}, {@code Node.Node}); values are quoted
 * or bare words. A selector that names no field is a 400, as Consul's.
 */
final class Filter {
    private static final Pattern TOKEN = Pattern.compile("\\s*(\"(?:[^\"\\\\]|\\\\.)*\"|`[^`]*`|\\(|\\)|==|!=|[^\\s()]+)");

    private final List<String> tokens = new ArrayList<>();
    private final String expression;
    private JsonObject entry;
    private int at;

    private Filter(String expression) {
        this.expression = expression;
        Matcher m = TOKEN.matcher(expression);
        int end = 0;
        while (m.find() && m.start() == end) {
            tokens.add(m.group(1));
            end = m.end();
        }
        if (!expression.substring(end).isBlank()) {
            throw invalid();
        }
    }

    /** Whether {@code entry} passes {@code expression}; an empty or absent expression passes everything. */
    static boolean matches(String expression, JsonObject entry) {
        if (expression == null || expression.isBlank()) {
            return true;
        }
        Filter filter = new Filter(expression);
        filter.entry = entry;
        boolean result = filter.or();
        if (filter.at != filter.tokens.size()) {
            throw filter.invalid();
        }
        return result;
    }

    private boolean or() {
        boolean result = and();
        while (peek("or")) {
            at++;
            result = and() | result;
        }
        return result;
    }

    private boolean and() {
        boolean result = factor();
        while (peek("and")) {
            at++;
            result = factor() & result;
        }
        return result;
    }

    private boolean factor() {
        if (peek("not")) {
            at++;
            return !factor();
        }
        if (peek("(")) {
            at++;
            boolean result = or();
            expect(")");
            return result;
        }
        String first = next();
        if (isValue(first) && (peek("in") || peek("not"))) {
            boolean negated = peek("not");
            at += negated ? 1 : 0;
            expect("in");
            boolean in = contains(select(next()), unquote(first));
            return negated != in;
        }
        JsonElement selected = select(first);
        String operator = next();
        switch (operator) {
            case "==":
                return text(selected).equals(unquote(next()));
            case "!=":
                return !text(selected).equals(unquote(next()));
            case "contains":
                return contains(selected, unquote(next()));
            case "is":
                boolean negated = peek("not");
                at += negated ? 1 : 0;
                expect("empty");
                return negated != empty(selected);
            case "not":
                expect("contains");
                return !contains(selected, unquote(next()));
            default:
                throw invalid();
        }
    }

    /** The field at {@code selector}; a missing map key is empty, a missing field is an error. */
    private JsonElement select(String selector) {
        JsonElement current = entry;
        String[] parts = selector.split("\\.");
        for (int i = 0; i < parts.length; i++) {
            if (current == null || !current.isJsonObject()) {
                throw new ApiError(400, "Failed to create boolean expression evaluator: Selector \"" + selector + "\" is not valid");
            }
            JsonObject object = current.getAsJsonObject();
            boolean map = i > 0 && (parts[i - 1].equals("Meta") || parts[i - 1].endsWith("Meta"));
            if (!object.has(parts[i]) && !map) {
                throw new ApiError(400, "Failed to create boolean expression evaluator: Selector \"" + selector + "\" is not valid");
            }
            current = object.get(parts[i]);
        }
        return current;
    }

    private static String text(JsonElement e) {
        return e == null || e.isJsonNull() ? "" : e.isJsonPrimitive() ? e.getAsString() : e.toString();
    }

    private static boolean contains(JsonElement e, String value) {
        if (e == null || e.isJsonNull()) {
            return false;
        }
        if (e.isJsonArray()) {
            for (JsonElement item : e.getAsJsonArray()) {
                if (text(item).equals(value)) {
                    return true;
                }
            }
            return false;
        }
        if (e.isJsonObject()) {
            return e.getAsJsonObject().has(value);
        }
        return text(e).contains(value);
    }

    private static boolean empty(JsonElement e) {
        return e == null || e.isJsonNull() || e.isJsonArray() && e.getAsJsonArray().isEmpty()
                || e.isJsonObject() && e.getAsJsonObject().isEmpty() || e.isJsonPrimitive() && e.getAsString().isEmpty();
    }

    private static boolean isValue(String token) {
        return token.startsWith("\"") || token.startsWith("`");
    }

    private static String unquote(String token) {
        if (token.startsWith("\"")) {
            return token.substring(1, token.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\");
        }
        return token.startsWith("`") ? token.substring(1, token.length() - 1) : token;
    }

    private boolean peek(String token) {
        return at < tokens.size() && tokens.get(at).equals(token);
    }

    private String next() {
        if (at >= tokens.size()) {
            throw invalid();
        }
        return tokens.get(at++);
    }

    private void expect(String token) {
        if (!next().equals(token)) {
            throw invalid();
        }
    }

    private ApiError invalid() {
        return new ApiError(400, "Failed to create boolean expression evaluator: 1:1 (0): no match found, expected: "
                + expression);
    }
}
