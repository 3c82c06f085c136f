package io.github.consulservlet.internal.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import io.github.consulservlet.internal.config.ValueType.Refused;

/**
 * Which webapps a container registers: {@link Setting#WEBAPPS_INCLUDE} and
 * {@link Setting#WEBAPPS_EXCLUDE}, globs over context paths. {@code *} stands for any characters
 * but {@code /}, {@code **} for any characters, {@code ?} for one character but {@code /}; the
 * root webapp's context path is written {@code /}. An empty include list includes every webapp;
 * exclusion wins over inclusion.
 */
final class WebappSelection {
    private static final String ACCEPTED = "context-path globs separated by commas, each starting with /, such as"
            + " /manager,/host-manager,/docs,/examples or /shop-*";

    private WebappSelection() {
    }

    /** The type of both settings: comma-separated globs, each starting with {@code /}; empty text for none. */
    static ValueType<List<String>> globs() {
        return new ValueType<>(ACCEPTED) {
            @Override
            List<String> parse(String text) throws Refused {
                if (text.isEmpty()) {
                    return List.of();
                }
                List<String> globs = new ArrayList<>();
                for (String item : text.split(",", -1)) {
                    String glob = item.strip();
                    if (glob.isEmpty()) {
                        throw new Refused("has an empty glob");
                    }
                    if (!glob.startsWith("/")) {
                        throw new Refused("has '" + glob + "', which does not start with /");
                    }
                    globs.add(glob);
                }
                return List.copyOf(globs);
            }
        };
    }

    /**
     * Why the webapp at {@code contextPath} is left out, or empty when it is registered.
     *
     * @param include the globs of {@link Setting#WEBAPPS_INCLUDE}, empty for every webapp
     * @param exclude the globs of {@link Setting#WEBAPPS_EXCLUDE}
     */
    static Optional<String> leftOut(String contextPath, List<String> include, List<String> exclude) {
        String path = contextPath.isEmpty() ? "/" : contextPath;
        Optional<String> excludedBy = exclude.stream().filter(glob -> matches(glob, path)).findFirst();
        if (excludedBy.isPresent()) {
            return Optional.of("matches " + Setting.WEBAPPS_EXCLUDE.key + " '" + excludedBy.get() + "'");
        }
        if (!include.isEmpty() && include.stream().noneMatch(glob -> matches(glob, path))) {
            return Optional.of("matches none of " + Setting.WEBAPPS_INCLUDE.key + " '"
                    + String.join(",", include) + "'");
        }
        return Optional.empty();
    }

    /** Whether {@code glob} matches all of {@code path}. */
    static boolean matches(String glob, String path) {
        if (glob.indexOf('*') < 0 && glob.indexOf('?') < 0) {
            return glob.equals(path); // the usual case, the defaults among them: no pattern to compile for each webapp
        }
        return Pattern.compile(regex(glob)).matcher(path).matches();
    }

    private static String regex(String glob) {
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*' && i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                regex.append(".*");
                i++;
            } else if (c == '*') {
                regex.append("[^/]*");
            } else if (c == '?') {
                regex.append("[^/]");
            } else {
                regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return regex.toString();
    }
}
