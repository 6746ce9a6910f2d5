package org.moe4j.chat;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Python's {@code str} methods as chat templates call them, on Java strings. */
final class PythonStrings {

    private PythonStrings() {}

    /** Returns the result of {@code text.name(args...)}, or throws if Python has no such method. */
    static Object call(String text, String name, Object[] args) {
        return switch (name) {
            case "startswith" -> matchesAffix(text, args, true);
            case "endswith" -> matchesAffix(text, args, false);
            case "strip" -> strip(text, arg(args, 0), true, true);
            case "lstrip" -> strip(text, arg(args, 0), true, false);
            case "rstrip" -> strip(text, arg(args, 0), false, true);
            case "split" -> split(text, (String) arg(args, 0), maxSplit(args));
            case "rsplit" -> rsplit(text, (String) arg(args, 0), maxSplit(args));
            case "splitlines" -> splitlines(text);
            case "replace" -> replace(text, str(args, 0), str(args, 1), args.length > 2 ? toInt(args[2]) : -1);
            case "upper" -> text.toUpperCase(java.util.Locale.ROOT);
            case "lower" -> text.toLowerCase(java.util.Locale.ROOT);
            case "title" -> title(text);
            case "capitalize" -> text.isEmpty()
                    ? text
                    : text.substring(0, 1).toUpperCase(java.util.Locale.ROOT)
                            + text.substring(1).toLowerCase(java.util.Locale.ROOT);
            case "join" -> join(text, args[0]);
            case "find" -> codePointIndex(text, text.indexOf(str(args, 0)));
            case "rfind" -> codePointIndex(text, text.lastIndexOf(str(args, 0)));
            case "index" -> {
                int at = text.indexOf(str(args, 0));
                if (at < 0) {
                    throw RenderFailure.raise("substring not found");
                }
                yield codePointIndex(text, at);
            }
            case "count" -> count(text, str(args, 0));
            case "isdigit" -> !text.isEmpty() && text.codePoints().allMatch(Character::isDigit);
            case "isalpha" -> !text.isEmpty() && text.codePoints().allMatch(Character::isLetter);
            case "isspace" -> !text.isEmpty() && text.codePoints().allMatch(PythonTypes::isSpace);
            case "isupper" -> text.codePoints().anyMatch(Character::isUpperCase)
                    && text.codePoints().noneMatch(Character::isLowerCase);
            case "islower" -> text.codePoints().anyMatch(Character::isLowerCase)
                    && text.codePoints().noneMatch(Character::isUpperCase);
            default -> throw RenderFailure.raise("'str object' has no attribute '" + name + "'");
        };
    }

    private static Object arg(Object[] args, int i) {
        return args != null && args.length > i ? args[i] : null;
    }

    private static String str(Object[] args, int i) {
        Object value = arg(args, i);
        if (!(value instanceof String s)) {
            throw RenderFailure.raise("expected a string argument, got " + PythonTypes.typeName(value));
        }
        return s;
    }

    private static int maxSplit(Object[] args) {
        Object value = arg(args, 1);
        return value == null ? -1 : toInt(value);
    }

    private static int toInt(Object value) {
        return ((Number) value).intValue();
    }

    private static boolean matchesAffix(String text, Object[] args, boolean prefix) {
        Object affixes = arg(args, 0);
        Collection<?> candidates = affixes instanceof Collection<?> c ? c : List.of(affixes);
        for (Object candidate : candidates) {
            String affix = (String) candidate;
            if (prefix ? text.startsWith(affix) : text.endsWith(affix)) {
                return true;
            }
        }
        return false;
    }

    static String strip(String text, Object chars, boolean left, boolean right) {
        int[] cps = text.codePoints().toArray();
        String set = chars == null ? null : (String) chars;
        int begin = 0;
        int end = cps.length;
        while (left && begin < end && stripped(cps[begin], set)) {
            begin++;
        }
        while (right && end > begin && stripped(cps[end - 1], set)) {
            end--;
        }
        return new String(cps, begin, end - begin);
    }

    private static boolean stripped(int cp, String set) {
        return set == null ? PythonTypes.isSpace(cp) : set.indexOf(cp) >= 0;
    }

    static List<String> split(String text, String sep, int maxSplit) {
        List<String> out = new ArrayList<>();
        if (sep == null) {
            int[] cps = text.codePoints().toArray();
            int i = 0;
            while (true) {
                while (i < cps.length && PythonTypes.isSpace(cps[i])) {
                    i++;
                }
                if (i == cps.length) {
                    return out;
                }
                if (maxSplit >= 0 && out.size() == maxSplit) {
                    int end = cps.length;
                    while (PythonTypes.isSpace(cps[end - 1])) {
                        end--;
                    }
                    out.add(new String(cps, i, end - i));
                    return out;
                }
                int start = i;
                while (i < cps.length && !PythonTypes.isSpace(cps[i])) {
                    i++;
                }
                out.add(new String(cps, start, i - start));
            }
        }
        if (sep.isEmpty()) {
            throw RenderFailure.raise("empty separator");
        }
        int from = 0;
        while (maxSplit < 0 || out.size() < maxSplit) {
            int at = text.indexOf(sep, from);
            if (at < 0) {
                break;
            }
            out.add(text.substring(from, at));
            from = at + sep.length();
        }
        out.add(text.substring(from));
        return out;
    }

    /** {@code str.splitlines()}: Python's line boundaries, line ends dropped, no empty last line. */
    static List<String> splitlines(String text) {
        List<String> out = new ArrayList<>();
        int start = 0;
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            boolean boundary = c == '\n' || c == '\r' || c == '\u000b' || c == '\u000c'
                    || (c >= '\u001c' && c <= '\u001e') || c == '\u0085' || c == '\u2028' || c == '\u2029';
            if (!boundary) {
                i++;
                continue;
            }
            out.add(text.substring(start, i));
            i += (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') ? 2 : 1;
            start = i;
        }
        if (start < text.length()) {
            out.add(text.substring(start));
        }
        return out;
    }

    static List<String> rsplit(String text, String sep, int maxSplit) {
        if (maxSplit < 0) {
            return split(text, sep, -1);
        }
        if (sep == null) {
            List<String> reversed = split(new StringBuilder(text).reverse().toString(), null, maxSplit);
            List<String> out = new ArrayList<>();
            for (int i = reversed.size() - 1; i >= 0; i--) {
                out.add(new StringBuilder(reversed.get(i)).reverse().toString());
            }
            return out;
        }
        List<String> out = new ArrayList<>();
        int end = text.length();
        while (out.size() < maxSplit) {
            int at = text.lastIndexOf(sep, end - sep.length());
            if (at < 0) {
                break;
            }
            out.addFirst(text.substring(at + sep.length(), end));
            end = at;
        }
        out.addFirst(text.substring(0, end));
        return out;
    }

    private static String replace(String text, String old, String replacement, int count) {
        if (count < 0) {
            return text.replace(old, replacement);
        }
        StringBuilder out = new StringBuilder();
        int from = 0;
        for (int n = 0; n < count; n++) {
            int at = old.isEmpty() ? (from <= text.length() ? from : -1) : text.indexOf(old, from);
            if (at < 0) {
                break;
            }
            out.append(text, from, at).append(replacement);
            if (old.isEmpty()) {
                if (at < text.length()) {
                    out.appendCodePoint(text.codePointAt(at));
                }
                from = at + (at < text.length() ? Character.charCount(text.codePointAt(at)) : 1);
            } else {
                from = at + old.length();
            }
        }
        if (from <= text.length()) {
            out.append(text, from, text.length());
        }
        return out.toString();
    }

    private static String title(String text) {
        StringBuilder out = new StringBuilder();
        boolean previousCased = false;
        for (int cp : text.codePoints().toArray()) {
            boolean cased = Character.isLetter(cp);
            out.appendCodePoint(
                    cased ? (previousCased ? Character.toLowerCase(cp) : Character.toTitleCase(cp)) : cp);
            previousCased = cased;
        }
        return out.toString();
    }

    private static String join(String separator, Object items) {
        if (!(items instanceof Iterable<?> iterable)) {
            throw RenderFailure.raise("can only join an iterable");
        }
        StringBuilder out = new StringBuilder();
        boolean first = true;
        for (Object item : iterable) {
            if (!(item instanceof String s)) {
                throw RenderFailure.raise(
                        "sequence item: expected str instance, " + PythonTypes.typeName(item) + " found");
            }
            if (!first) {
                out.append(separator);
            }
            out.append(s);
            first = false;
        }
        return out.toString();
    }

    private static int codePointIndex(String text, int charIndex) {
        return charIndex < 0 ? -1 : text.codePointCount(0, charIndex);
    }

    private static int count(String text, String sub) {
        if (sub.isEmpty()) {
            return text.codePointCount(0, text.length()) + 1;
        }
        int n = 0;
        for (int at = text.indexOf(sub); at >= 0; at = text.indexOf(sub, at + sub.length())) {
            n++;
        }
        return n;
    }
}
