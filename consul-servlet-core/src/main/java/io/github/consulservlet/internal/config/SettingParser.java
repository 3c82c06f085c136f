package io.github.consulservlet.internal.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns found text into values with each {@link Setting}'s {@link ValueType}, and keeps what
 * went wrong: every problem (which fails the deployment, all of them named at once) and every
 * warning (logged once), in the order they were seen. One per resolution, shared by
 * {@link SettingsResolver}, {@link CombinedSettings} and {@link UnknownSettings}.
 */
final class SettingParser {
    private final List<String> problems = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();

    /** {@code found}'s value, or null when nothing was found or it cannot be used (a problem then). */
    <T> T parse(Setting<T> setting, Found found) {
        return found == null ? null : parse(setting, found, found.value());
    }

    /** {@code text} is what {@code found} stands for, which may be more than its value (an agent with https added). */
    <T> T parse(Setting<T> setting, Found found, String text) {
        try {
            return setting.type.read(text);
        } catch (ValueType.Refused e) {
            problem(found, e.getMessage(), setting.accepted());
            return null;
        }
    }

    /** A problem in the usual form: {@code <setting> '<value>' (<origin>) <what>; expected <accepted>}. */
    void problem(Found found, String what, String accepted) {
        problems.add(found.describe() + " " + what + "; expected " + accepted);
    }

    /** A problem worded whole by the caller, for what is not one found value. */
    void problem(String sentence) {
        problems.add(sentence);
    }

    void problems(List<String> more) {
        problems.addAll(more);
    }

    void warning(String sentence) {
        warnings.add(sentence);
    }

    void warnings(List<String> more) {
        warnings.addAll(more);
    }

    List<String> problems() {
        return problems;
    }

    List<String> warnings() {
        return warnings;
    }
}
