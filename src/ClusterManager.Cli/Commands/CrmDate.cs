using System.Globalization;
using System.Text.RegularExpressions;

namespace ClusterManager.Cli.Commands;

/// <summary>
/// Parses the dates <c>crm_simulate -t</c> accepts (ISO 8601 as Pacemaker's <c>crm_time_new</c> reads it):
/// calendar <c>2014-05-07</c> / <c>20140507</c>, ordinal <c>2005-020</c>, week <c>2005-W03-4</c>, optionally followed
/// by <c>T</c> or a space and <c>hh[:mm[:ss]]</c> (or <c>hhmm[ss]</c>) and <c>Z</c> or <c>±hh[:mm]</c>.
/// Times without an offset are taken as UTC (Pacemaker would use the host's zone; ours must not depend on it).
/// </summary>
public static partial class CrmDate
{
    /// <summary>Parses <paramref name="text"/>; false when it is not such a date.</summary>
    public static bool TryParse(string? text, out DateTimeOffset value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var s = text.Trim();
        var split = s.IndexOfAny(['T', ' ']);
        var datePart = split < 0 ? s : s[..split];
        var timePart = split < 0 ? "" : s[(split + 1)..].Trim();
        if (!TryParseDate(datePart, out var date))
        {
            return false;
        }

        var time = TimeSpan.Zero;
        var offset = TimeSpan.Zero;
        if (timePart.Length > 0 && !TryParseTime(timePart, out time, out offset))
        {
            return false;
        }

        value = new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue) + time, offset);
        return true;
    }

    private static bool TryParseDate(string s, out DateOnly date)
    {
        date = default;
        Match m;
        if ((m = CalendarDate().Match(s)).Success)
        {
            return TryDate(Int(m, "y"), Int(m, "m"), Int(m, "d"), out date);
        }

        if ((m = OrdinalDate().Match(s)).Success)
        {
            var year = Int(m, "y");
            var day = Int(m, "d");
            if (year < 1 || day < 1 || day > (DateTime.IsLeapYear(year) ? 366 : 365))
            {
                return false;
            }

            date = new DateOnly(year, 1, 1).AddDays(day - 1);
            return true;
        }

        if ((m = WeekDate().Match(s)).Success)
        {
            var year = Int(m, "y");
            var week = Int(m, "w");
            var day = m.Groups["d"].Success ? Int(m, "d") : 1;
            if (year < 1 || week < 1 || week > ISOWeek.GetWeeksInYear(year) || day < 1 || day > 7)
            {
                return false;
            }

            date = DateOnly.FromDateTime(ISOWeek.ToDateTime(year, week, day == 7 ? DayOfWeek.Sunday : (DayOfWeek)day));
            return true;
        }

        return false;
    }

    private static bool TryParseTime(string s, out TimeSpan time, out TimeSpan offset)
    {
        time = default;
        offset = default;
        var m = TimeOfDay().Match(s);
        if (!m.Success)
        {
            return false;
        }

        var h = Int(m, "h");
        var min = m.Groups["m"].Success ? Int(m, "m") : 0;
        var sec = m.Groups["s"].Success ? Int(m, "s") : 0;
        if (h > 24 || min > 59 || sec > 60)
        {
            return false;
        }

        time = new TimeSpan(h, min, sec);
        if (m.Groups["oh"].Success)
        {
            var sign = m.Groups["sign"].Value == "-" ? -1 : 1;
            var oh = Int(m, "oh");
            var om = m.Groups["om"].Success ? Int(m, "om") : 0;
            if (oh > 14 || om > 59)
            {
                return false;
            }

            offset = sign * new TimeSpan(oh, om, 0);
        }

        return true;
    }

    private static bool TryDate(int year, int month, int day, out DateOnly date)
    {
        date = default;
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return false;
        }

        date = new DateOnly(year, month, day);
        return true;
    }

    private static int Int(Match m, string group) => int.Parse(m.Groups[group].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^(?<y>\d{4})-?(?<m>\d{2})-?(?<d>\d{2})$")]
    private static partial Regex CalendarDate();

    [GeneratedRegex(@"^(?<y>\d{4})-?(?<d>\d{3})$")]
    private static partial Regex OrdinalDate();

    [GeneratedRegex(@"^(?<y>\d{4})-?W(?<w>\d{2})(?:-?(?<d>\d))?$")]
    private static partial Regex WeekDate();

    [GeneratedRegex(@"^(?<h>\d{2})(?::?(?<m>\d{2})(?::?(?<s>\d{2}))?)?(?:Z|(?<sign>[+-])(?<oh>\d{2})(?::?(?<om>\d{2}))?)?$")]
    private static partial Regex TimeOfDay();
}
