package org.moe4j.chat;

import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.Locale;

/** Python's {@code datetime.strftime} in the C locale, for the directives chat templates use. */
final class Strftime {

    private Strftime() {}

    static String format(ZonedDateTime time, String format) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 == format.length()) {
                out.append(c);
                continue;
            }
            char directive = format.charAt(++i);
            boolean unpadded = directive == '-' && i + 1 < format.length();
            if (unpadded) {
                directive = format.charAt(++i);
            }
            out.append(field(time, directive, unpadded));
        }
        return out.toString();
    }

    private static String field(ZonedDateTime t, char directive, boolean unpadded) {
        return switch (directive) {
            case 'Y' -> Integer.toString(t.getYear());
            case 'y' -> number(t.getYear() % 100, unpadded);
            case 'm' -> number(t.getMonthValue(), unpadded);
            case 'd' -> number(t.getDayOfMonth(), unpadded);
            case 'e' -> String.format("%2d", t.getDayOfMonth());
            case 'H' -> number(t.getHour(), unpadded);
            case 'I' -> number(t.getHour() % 12 == 0 ? 12 : t.getHour() % 12, unpadded);
            case 'M' -> number(t.getMinute(), unpadded);
            case 'S' -> number(t.getSecond(), unpadded);
            case 'p' -> t.getHour() < 12 ? "AM" : "PM";
            case 'j' -> unpadded ? Integer.toString(t.getDayOfYear()) : String.format("%03d", t.getDayOfYear());
            case 'b', 'h' -> t.getMonth().getDisplayName(TextStyle.SHORT, Locale.US);
            case 'B' -> t.getMonth().getDisplayName(TextStyle.FULL, Locale.US);
            case 'a' -> t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.US);
            case 'A' -> t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.US);
            case '%' -> "%";
            default -> "%" + directive;
        };
    }

    private static String number(int value, boolean unpadded) {
        return unpadded ? Integer.toString(value) : String.format("%02d", value);
    }
}
