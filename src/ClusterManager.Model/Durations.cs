using System.Globalization;

namespace ClusterManager.Model;

/// <summary>
/// Pacemaker's interval and timeout syntax (<c>crm_parse_interval_spec</c> / <c>crm_get_msec</c> in 2.1.5):
/// <list type="bullet">
/// <item>a number with an optional unit, whitespace allowed around the number: no unit = seconds;
/// <c>ms</c>/<c>msec</c>, <c>us</c>/<c>usec</c>, <c>s</c>/<c>sec</c>, <c>m</c>/<c>min</c>, <c>h</c>/<c>hr</c>
/// (matched case-insensitively by prefix, as Pacemaker's <c>strncasecmp</c> does, so <c>5mins</c> is 5 minutes);
/// a decimal point is accepted but only the integer part counts (<c>1.5s</c> = 1 s), as in Pacemaker;</item>
/// <item>an ISO 8601 duration starting with <c>P</c>: <c>P[nY][nM][nW][nD][T[nH][nM][nS]]</c> (as in Pacemaker, H and S are accepted before the T too), e.g.
/// <c>PT10S</c>, <c>P1D</c>. Months count 30 days and years 365 days (Pacemaker's convention for durations).</item>
/// </list>
/// Pacemaker 2.1.5's <c>crm_time_get_seconds</c> undercounts ISO durations by one day when a day part is present
/// and ignores a single year (<c>P1D</c> = 0 s there); this parser gives the intended value instead.
/// </summary>
public static class Durations
{
    /// <summary>Parses an interval or timeout. Returns false (value zero) on anything Pacemaker would reject.</summary>
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (text is null)
        {
            return false;
        }

        if (text.Length > 0 && text[0] == 'P')
        {
            return TryParseIso(text, out value);
        }

        var span = text.AsSpan();
        var i = 0;
        while (i < span.Length && IsWhite(span[i]))
        {
            i++;
        }

        var numStart = i;
        while (i < span.Length && (char.IsAsciiDigit(span[i]) || span[i] == '.'))
        {
            i++;
        }

        if (i == numStart)
        {
            return false;
        }

        // strtoll semantics: the leading digits before any '.' are the number.
        var digitsEnd = numStart;
        while (digitsEnd < i && char.IsAsciiDigit(span[digitsEnd]))
        {
            digitsEnd++;
        }

        if (digitsEnd == numStart ||
            !long.TryParse(span[numStart..digitsEnd], NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }

        while (i < span.Length && IsWhite(span[i]))
        {
            i++;
        }

        var units = span[i..];
        long multiplierUs;
        if (StartsWith(units, "ms"))
        {
            multiplierUs = 1_000;
        }
        else if (StartsWith(units, "us"))
        {
            multiplierUs = 1;
        }
        else if (StartsWith(units, "s"))
        {
            multiplierUs = 1_000_000;
        }
        else if (StartsWith(units, "m"))
        {
            multiplierUs = 60_000_000;
        }
        else if (StartsWith(units, "h"))
        {
            multiplierUs = 3_600_000_000;
        }
        else if (units.Length == 0 || units[0] == '\n' || units[0] == '\r')
        {
            multiplierUs = 1_000_000;
        }
        else
        {
            return false;
        }

        // Pacemaker works in whole milliseconds (microseconds are divided down).
        var micro = number > long.MaxValue / multiplierUs ? long.MaxValue : number * multiplierUs;
        var ms = micro / 1000;
        if (ms > (long)TimeSpan.MaxValue.TotalMilliseconds)
        {
            return false;
        }

        value = TimeSpan.FromMilliseconds(ms);
        return true;
    }

    /// <summary>Parses an interval or timeout or throws <see cref="FormatException"/> naming the text.</summary>
    public static TimeSpan Parse(string? text) =>
        TryParse(text, out var v)
            ? v
            : throw new FormatException(
                $"'{text}' is not a duration (a number of seconds with an optional unit ms, us, s, m, h, or ISO 8601 like PT10S)");

    /// <summary>Formats as Pacemaker text that <see cref="Parse"/> reads back exactly: <c>10s</c>, <c>1500ms</c>, <c>0</c>.</summary>
    public static string Format(TimeSpan value)
    {
        var ms = (long)value.TotalMilliseconds;
        if (ms == 0)
        {
            return "0";
        }

        return ms % 1000 == 0
            ? (ms / 1000).ToString(CultureInfo.InvariantCulture) + "s"
            : ms.ToString(CultureInfo.InvariantCulture) + "ms";
    }

    private static bool TryParseIso(string text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        long seconds = 0;
        var inTime = false;
        var any = false;
        var i = 1;
        while (i < text.Length)
        {
            if (text[i] == 'T')
            {
                if (inTime)
                {
                    return false;
                }

                inTime = true;
                i++;
                continue;
            }

            var start = i;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }

            if (i == start || i >= text.Length ||
                !long.TryParse(text.AsSpan(start, i - start), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                return false;
            }

            long unit = (text[i], inTime) switch
            {
                ('Y', false) => 365L * 86400,
                ('M', false) => 30L * 86400,
                ('W', false) => 7L * 86400,
                ('D', false) => 86400,
                ('H', _) => 3600,
                ('M', true) => 60,
                ('S', _) => 1,
                _ => -1,
            };
            if (unit < 0 || n > int.MaxValue)
            {
                return false;
            }

            seconds += n * unit;
            any = true;
            i++;
        }

        if (!any || seconds > (long)TimeSpan.MaxValue.TotalSeconds)
        {
            return false;
        }

        value = TimeSpan.FromSeconds(seconds);
        return true;
    }

    private static bool StartsWith(ReadOnlySpan<char> units, string prefix) =>
        units.StartsWith(prefix, StringComparison.OrdinalIgnoreCase);

    private static bool IsWhite(char c) => c is ' ' or '\t' or '\n' or '\r' or '\f';
}
