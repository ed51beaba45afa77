using System.Globalization;

namespace ClusterManager.Policy.Rules;

/// <summary>
/// Pacemaker's ISO 8601 date parsing (<c>crm_time_new</c> / <c>crm_time_parse</c>, lib/common/iso8601.c):
/// calendar dates <c>2005-01-20</c> (or <c>20050120</c>), ordinal dates <c>2005-001</c>, week dates
/// <c>2005-W01-1</c>, optionally followed by <c>T</c> or a space and a time <c>hh:mm[:ss]</c> (or <c>hhmm[ss]</c>)
/// with <c>Z</c> or an offset <c>±hh[:mm]</c>. Pacemaker assumes the host's local zone when no offset is given;
/// the engine has no host zone, so such times are UTC.
/// </summary>
internal static class CrmTime
{
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
        var timePart = split < 0 ? null : s[(split + 1)..].Trim();

        if (!TryParseDate(datePart, out var date))
        {
            return false;
        }

        var offset = TimeSpan.Zero;
        var timeOfDay = TimeSpan.Zero;
        if (!string.IsNullOrEmpty(timePart) && !TryParseTime(timePart, out timeOfDay, out offset))
        {
            return false;
        }

        try
        {
            value = new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue).Add(timeOfDay), offset);
            return true;
        }
        catch (ArgumentOutOfRangeException)
        {
            return false;
        }
    }

    private static bool TryParseDate(string s, out DateOnly date)
    {
        date = default;
        if (s.Length < 4 || !int.TryParse(s.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture, out var year) || year < 1)
        {
            return false;
        }

        var rest = s[4..];
        if (rest.StartsWith('-'))
        {
            rest = rest[1..];
        }

        if (rest.Length == 0)
        {
            return false;
        }

        try
        {
            if (rest.StartsWith('W'))
            {
                // Week date: Www[-D] (day defaults to 1).
                var w = rest[1..];
                if (w.Length < 2 || !int.TryParse(w.AsSpan(0, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var week))
                {
                    return false;
                }

                var dayText = w[2..].TrimStart('-');
                var day = 1;
                if (dayText.Length > 0 && (dayText.Length != 1 || !int.TryParse(dayText, NumberStyles.None, CultureInfo.InvariantCulture, out day)))
                {
                    return false;
                }

                if (week < 1 || week > ISOWeek.GetWeeksInYear(year) || day < 1 || day > 7)
                {
                    return false;
                }

                date = DateOnly.FromDateTime(ISOWeek.ToDateTime(year, week, day == 7 ? DayOfWeek.Sunday : (DayOfWeek)day));
                return true;
            }

            var hadDash = s.Length > 4 && s[4] == '-';
            if (rest.Contains('-', StringComparison.Ordinal))
            {
                // Calendar date: MM-DD.
                var parts = rest.Split('-');
                if (parts.Length != 2 || parts.Any(p => p.Length is < 1 or > 2 || !p.All(char.IsAsciiDigit)))
                {
                    return false;
                }

                date = new DateOnly(year, int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture));
                return true;
            }

            if (rest.Length == 0 || !rest.All(char.IsAsciiDigit))
            {
                return false;
            }

            if ((hadDash && rest.Length <= 3) || rest.Length == 3)
            {
                // Ordinal date: YYYY-DDD (Pacemaker reads any "YYYY-N" this way, so 2005-02 is 2 January).
                var ordinal = int.Parse(rest, CultureInfo.InvariantCulture);
                var daysInYear = DateTime.IsLeapYear(year) ? 366 : 365;
                if (ordinal < 1 || ordinal > daysInYear)
                {
                    return false;
                }

                date = new DateOnly(year, 1, 1).AddDays(ordinal - 1);
                return true;
            }

            if (rest.Length == 4)
            {
                // Compact calendar date: YYYYMMDD.
                date = new DateOnly(year, int.Parse(rest.AsSpan(0, 2), CultureInfo.InvariantCulture), int.Parse(rest.AsSpan(2, 2), CultureInfo.InvariantCulture));
                return true;
            }

            return false;
        }
        catch (ArgumentOutOfRangeException)
        {
            return false;
        }
    }

    private static bool TryParseTime(string s, out TimeSpan time, out TimeSpan offset)
    {
        time = TimeSpan.Zero;
        offset = TimeSpan.Zero;
        var zone = s.IndexOfAny(['Z', 'z', '+', '-']);
        var clock = (zone < 0 ? s : s[..zone]).Trim();
        if (zone >= 0)
        {
            var z = s[zone..];
            if (z is "Z" or "z")
            {
                offset = TimeSpan.Zero;
            }
            else
            {
                var sign = z[0] == '-' ? -1 : 1;
                var digits = z[1..].Replace(":", "", StringComparison.Ordinal);
                if (digits.Length is not (2 or 4) || !digits.All(char.IsAsciiDigit))
                {
                    return false;
                }

                var h = int.Parse(digits.AsSpan(0, 2), CultureInfo.InvariantCulture);
                var m = digits.Length == 4 ? int.Parse(digits.AsSpan(2, 2), CultureInfo.InvariantCulture) : 0;
                if (h > 14 || m > 59)
                {
                    return false;
                }

                offset = sign * new TimeSpan(h, m, 0);
            }
        }

        var parts = clock.Contains(':', StringComparison.Ordinal)
            ? clock.Split(':')
            : Enumerable.Range(0, clock.Length / 2).Select(i => clock.Substring(i * 2, 2)).ToArray();
        if (parts.Length is < 1 or > 3 || (!clock.Contains(':', StringComparison.Ordinal) && clock.Length % 2 != 0))
        {
            return false;
        }

        var values = new int[3];
        for (var i = 0; i < parts.Length; i++)
        {
            // Fractional seconds are accepted and dropped (Pacemaker keeps whole seconds).
            var p = i == 2 ? parts[i].Split('.', ',')[0] : parts[i];
            if (p.Length != 2 || !int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out values[i]))
            {
                return false;
            }
        }

        if (values[0] > 24 || values[1] > 59 || values[2] > 60 || (values[0] == 24 && (values[1] != 0 || values[2] != 0)))
        {
            return false;
        }

        time = new TimeSpan(values[0], values[1], Math.Min(values[2], 59));
        return true;
    }
}
