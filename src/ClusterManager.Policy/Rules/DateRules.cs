using System.Globalization;
using ClusterManager.Model.Configuration;

namespace ClusterManager.Policy.Rules;

/// <summary>Pacemaker 2.1.5's date expressions (<c>pe__eval_date_expr</c>, <c>pe_cron_range_satisfied</c>).</summary>
internal static class DateRules
{
    public static bool Evaluate(DateExpression e, DateTimeOffset now)
    {
        DateTimeOffset? start = CrmTime.TryParse(e.Start, out var s) ? s : null;
        DateTimeOffset? end = CrmTime.TryParse(e.End, out var en) ? en : null;
        if (start is { } st && end is null && e.Duration is { } duration)
        {
            end = AddDuration(st, duration);
        }

        // Pacemaker compares whole seconds.
        var n = Truncate(now);
        switch (e.Operation.ToLowerInvariant())
        {
            case "in_range":
                if (start is null && end is null)
                {
                    return false;
                }

                if (start is { } a && n < Truncate(a))
                {
                    return false;
                }

                return end is not { } b || n <= Truncate(b);
            case "date_spec":
                return e.DateSpec is null || DateSpecMatches(e.DateSpec, n);
            case "gt":
                return start is { } gs && n > Truncate(gs);
            case "lt":
                return end is { } le && n < Truncate(le);
            default:
                return false;
        }
    }

    private static DateTimeOffset Truncate(DateTimeOffset t) =>
        DateTimeOffset.FromUnixTimeSeconds(t.ToUnixTimeSeconds());

    /// <summary><c>pe_parse_xml_duration</c>: years, months, weeks, days, hours, minutes, seconds added in that order.</summary>
    internal static DateTimeOffset AddDuration(DateTimeOffset start, IReadOnlyDictionary<string, string> d)
    {
        var t = start;
        t = Field(d, "years") is { } y ? t.AddYears(y) : t;
        t = Field(d, "months") is { } mo ? t.AddMonths(mo) : t;
        t = Field(d, "weeks") is { } w ? t.AddDays(7.0 * w) : t;
        t = Field(d, "days") is { } dd ? t.AddDays(dd) : t;
        t = Field(d, "hours") is { } h ? t.AddHours(h) : t;
        t = Field(d, "minutes") is { } mi ? t.AddMinutes(mi) : t;
        t = Field(d, "seconds") is { } se ? t.AddSeconds(se) : t;
        return t;
    }

    private static int? Field(IReadOnlyDictionary<string, string> d, string name) =>
        d.TryGetValue(name, out var text) && RuleEvaluator.TryScanLong(text, out var v) && v != 0 && v is >= int.MinValue and <= int.MaxValue
            ? (int)v
            : null;

    /// <summary>Every field present must match now (UTC); an unparsable field is ignored, as in Pacemaker.</summary>
    internal static bool DateSpecMatches(IReadOnlyDictionary<string, string> spec, DateTimeOffset now)
    {
        var utc = now.UtcDateTime;
        var isoYear = ISOWeek.GetYear(utc);
        var isoWeek = ISOWeek.GetWeekOfYear(utc);
        var isoDay = utc.DayOfWeek == DayOfWeek.Sunday ? 7 : (int)utc.DayOfWeek;
        (string Name, long Value)[] fields =
        [
            ("years", utc.Year),
            ("months", utc.Month),
            ("monthdays", utc.Day),
            ("hours", utc.Hour),
            ("minutes", utc.Minute),
            ("seconds", utc.Second),
            ("yeardays", utc.DayOfYear),
            ("weekyears", isoYear),
            ("weeks", isoWeek),
            ("weekdays", isoDay),
            ("moon", PhaseOfTheMoon(utc)),
        ];
        foreach (var (name, value) in fields)
        {
            if (spec.TryGetValue(name, out var text) && TryParseRange(text, out var low, out var high) && !InRange(value, low, high))
            {
                return false;
            }
        }

        return true;
    }

    private static bool InRange(long v, long? low, long? high) =>
        (low is null || v >= low) && (high is null || v <= high);

    /// <summary><c>pcmk__parse_ll_range</c>: "N", "N-M", "N-" (no upper bound) or "-M" (no lower bound).</summary>
    internal static bool TryParseRange(string text, out long? low, out long? high)
    {
        low = null;
        high = null;
        var t = text.Trim();
        if (t.StartsWith('-'))
        {
            if (!long.TryParse(t.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var h))
            {
                return false;
            }

            high = h;
            return true;
        }

        var dash = t.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0)
        {
            if (!long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var single))
            {
                return false;
            }

            low = high = single;
            return true;
        }

        if (!long.TryParse(t.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var l))
        {
            return false;
        }

        low = l;
        var rest = t[(dash + 1)..];
        if (rest.Length == 0)
        {
            return true;
        }

        if (!long.TryParse(rest, NumberStyles.None, CultureInfo.InvariantCulture, out var hi))
        {
            return false;
        }

        high = hi;
        return true;
    }

    /// <summary>Pacemaker's (nethack's) moon phase, 0 = new … 4 = full … 7.</summary>
    internal static int PhaseOfTheMoon(DateTime utc)
    {
        var diy = utc.DayOfYear;
        var goldn = (utc.Year % 19) + 1;
        var epact = ((11 * goldn) + 18) % 30;
        if ((epact == 25 && goldn > 11) || epact == 24)
        {
            epact++;
        }

        return ((((diy + epact) * 6) + 11) % 177 / 22) & 7;
    }
}
